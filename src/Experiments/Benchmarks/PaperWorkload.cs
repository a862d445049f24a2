using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The training workload one step belongs to: its batch size and the per-task work around it (tasks in the stream,
/// steps per task, replay samples generated per finished task (per-class pools times the classes of a task), Fisher samples per task, DDIM generation
/// batch and steps). The bench takes its default batch from here and spreads the per-task costs over the steps.
/// </summary>
public sealed record PaperWorkload(
    string Source,
    int Batch,
    int Tasks,
    int StepsPerTask,
    int ReplayPoolPerTask,
    int FisherSamplesPerTask,
    int ReplayGenerationBatch,
    int ReplayDdimSteps)
{
    /// <summary>
    /// Replay samples generated per training step, averaged over the stream. After task k (k = 0 … Tasks−2) the
    /// generator regenerates the pool of every finished task, (k+1)·P samples (ConditionalSampleReplay), so the whole
    /// stream generates P·T(T−1)/2 samples over T·S steps: P(T−1)/(2S) per step.
    /// </summary>
    public double ReplaySamplesPerStep => ReplayPoolPerTask * (Tasks - 1) / (2.0 * StepsPerTask);

    /// <summary>Fisher samples per training step: one estimate per finished task except the last, (T−1)·F over T·S steps.</summary>
    public double FisherSamplesPerStep => FisherSamplesPerTask * (double)(Tasks - 1) / ((double)Tasks * StepsPerTask);

    /// <summary>The workload of a model preset: the paper's for the paper-sized models, the CPU presets' for the small ones.</summary>
    public static PaperWorkload For(string preset) => preset switch
    {
        "image-tiny" or "image-micro" => FromExperiment(ExperimentPresets.Demo("finetune"), "experiment preset 'demo' (CPU)"),
        "image-small-28" => FromExperiment(ExperimentPresets.SplitMnistFamily("mnist", "finetune"), "experiment preset 'split-mnist' (CPU)"),
        "policy-tiny" => new("CPU demo-sized, like 'demo' (no CPU control preset exists)", 32, 5, 120, 128, 64, 128, 20),
        _ when preset.StartsWith("policy", StringComparison.Ordinal) =>
            // Table 4 (CW10): batch 256, 10 tasks, 50,000 updates per task, 2,500 per task in the replay buffer, 20,000 Fisher samples
            new("paper Table 4 (CW10); replay pool = 2,500 DDIM action chunks per task", 256, 10, 50_000, 2_500, 20_000, 500, 50),
        _ => FromExperiment(ExperimentPresets.ImageNetPaper("finetune"), "paper Table 3 (ImageNet-500), experiment preset 'imagenet500-paper'"),
    };

    private static PaperWorkload FromExperiment(ExperimentConfig c, string source) =>
        new(source, c.Hyper.BatchSize, c.TaskClasses.Length, c.StepsPerTask,
            c.Hyper.ReplaySamplesForTask(c.TaskClasses.Length > 0 ? c.TaskClasses[0].Length : 0, "task 1"), c.Hyper.FisherSamples,
            c.Hyper.ReplayGenerationBatch, c.Hyper.ReplayDdimSteps);
}
