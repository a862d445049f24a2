using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Experiments.Tests.Control;

/// <summary>Small control configurations for tests (demonstrations cached in the given folder).</summary>
internal static class ControlTestConfigs
{
    /// <summary>A 2-task stream (handle-press-side → window-close) of a few steps, cheap evaluation and replay.</summary>
    public static ExperimentConfig TwoTaskSmoke(string method, string demonstrations) => ExperimentPresets.Cw10Cpu(method, seed: 7) with
    {
        ControlTasks = ["handle-press-side", "window-close"],
        StepsPerTask = 6,
        CheckpointEvery = 4,
        Hyper = ExperimentPresets.Cw10Cpu(method).Hyper with { BatchSize = 8, FisherSamples = 4, ReplayPoolPerTask = 16, ReplayDdimSteps = 2, ReplayGenerationBatch = 4 },
        Evaluation = new EvaluationSettings { SamplesPerTask = 3, DdimSteps = 2, ProbeSamplesPerTask = 4, ProbeTimesteps = [100, 500, 900], ProbeDenseSteps = 3, ProbeGrowth = 1.5 },
        Control = new ControlSettings { DemonstrationsPerTask = 6, HeldOutDemonstrationsPerTask = 2, DemonstrationDirectory = demonstrations, ReplayRolloutsPerTask = 2, ParallelEpisodes = 3 },
    };
}
