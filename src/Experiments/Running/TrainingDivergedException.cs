using System.Globalization;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// A training step produced a NaN or infinite loss. The run stopped before logging or checkpointing that step, so the
/// last checkpoint on disk is the last good state. The message names the step, the task, the loss terms that were not
/// finite and the checkpoint kept.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    public TrainingDivergedException(long globalStep, int task, string taskName, int stepInTask, IReadOnlyList<string> badTerms, string runFolder, string? lastCheckpoint, long? lastCheckpointStep)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"training diverged at step {globalStep} (step {stepInTask} of task {task + 1}, {taskName}): {string.Join(", ", badTerms)}. ") +
            (lastCheckpoint is null
                ? "No checkpoint was written before it. "
                : string.Create(CultureInfo.InvariantCulture, $"The last good checkpoint {lastCheckpoint} (step {lastCheckpointStep}) is kept. ")) +
            $"Fix: lower learning_rate or set gradient_clip in {Path.Combine(runFolder, "config.json")}, then `ntr resume {runFolder}`.")
    {
        GlobalStep = globalStep;
        Task = task;
        BadTerms = badTerms;
    }

    public long GlobalStep { get; }

    /// <summary>0-based task index.</summary>
    public int Task { get; }

    /// <summary>"loss = NaN", "distillation = ∞", …</summary>
    public IReadOnlyList<string> BadTerms { get; }
}
