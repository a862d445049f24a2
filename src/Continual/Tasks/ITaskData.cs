using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Continual.Tasks;

/// <summary>
/// The training data of one task as a method sees it: a deterministic, resumable stream of shuffled batches, and the
/// conditions that belong to the task (for generating replay of it later). Evaluation data lives elsewhere.
/// </summary>
public interface ITaskData
{
    string Name { get; }

    /// <summary>Number of training samples.</summary>
    int Count { get; }

    /// <summary>The next batch of the epoch-wise shuffled stream (reshuffled every epoch from the task's seed).</summary>
    TrainingBatch NextBatch(int batchSize);

    /// <summary>Cursor state (epoch, position) for checkpoints; restoring it continues the stream exactly.</summary>
    (long Epoch, int Position) Cursor { get; set; }

    /// <summary>
    /// <paramref name="count"/> conditions spread evenly over the task's condition space (e.g. class ids cycling
    /// through the task's classes), used to generate replay samples. Null for unconditional tasks.
    /// </summary>
    Tensor? ReplayConditions(int count, Generator generator);

    /// <summary>
    /// How many distinct conditions <see cref="ReplayConditions"/> cycles through (the task's classes), or 0 when the
    /// task's conditions are not a finite set of classes (unconditional tasks, policies conditioned on observations).
    /// Per-class replay pools are sized from it.
    /// </summary>
    int ReplayClassCount { get; }

    /// <summary>A fixed random subset of <paramref name="count"/> training samples (e.g. for Fisher estimation).</summary>
    TrainingBatch Subset(int count, Generator generator);
}
