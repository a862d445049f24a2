using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>What a domain (images, control) provides for a run: model, schedule, tasks, evaluation and replay.</summary>
public sealed record ExperimentSetup(
    IDenoiser Model,
    NoiseSchedule Schedule,
    TaskStream Stream,
    ITaskEvaluator Evaluator,
    IReadOnlyList<TrainingBatch> ProbeBatches,
    IReplayGenerator Replay,
    string Notes);

/// <summary>Builds the <see cref="ExperimentSetup"/> of a configuration (one implementation per domain).</summary>
public interface IExperimentDomain
{
    ExperimentSetup Build(Configuration.ExperimentConfig config, IRunProgress progress);
}
