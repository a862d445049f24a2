using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Evaluation;

/// <summary>The headline metric of one task for the current weights (FID-like or success rate), plus an optional secondary.</summary>
public readonly record struct TaskEvaluation(double Value, double? Secondary);

/// <summary>
/// Evaluates a task after training (FID on features of our classifier and sample accuracy for images; rollout success
/// for control). Evaluations draw from fixed seeds per task, so they do not depend on the training state's randomness.
/// </summary>
public interface ITaskEvaluator
{
    MetricDefinition Metric { get; }

    MetricDefinition? SecondaryMetric { get; }

    TaskEvaluation Evaluate(IDenoiser model, int task);

    /// <summary>
    /// A cheaper evaluation of the same metric with <paramref name="samples"/> samples (rollouts, generated images), used
    /// when re-convergence is probed with the task metric itself (the paper's CW10 Table 2 uses success rate).
    /// </summary>
    double Probe(IDenoiser model, int task, int samples);

    /// <summary>Optional artefacts (e.g. a PNG grid of samples per task) written after task <paramref name="afterTask"/>.</summary>
    void WriteArtifacts(IDenoiser model, int afterTask, string directory);
}
