using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Experiments.Tests.Control;

/// <summary>
/// Task data that throws on any read of its samples once <see cref="Close"/> has been called (bookkeeping — name,
/// count, cursor — stays readable for checkpoints). Used to prove that nothing reads a finished task's demonstrations.
/// </summary>
public sealed class GuardedTaskData(ITaskData inner) : ITaskData
{
    public bool Closed { get; private set; }

    public int ReadsAfterClose { get; private set; }

    public void Close() => Closed = true;

    public string Name => inner.Name;

    public int Count => inner.Count;

    public (long Epoch, int Position) Cursor
    {
        get => inner.Cursor;
        set => inner.Cursor = value;
    }

    public TrainingBatch NextBatch(int batchSize)
    {
        Check(nameof(NextBatch));
        return inner.NextBatch(batchSize);
    }

    public Tensor? ReplayConditions(int count, Generator generator)
    {
        Check(nameof(ReplayConditions));
        return inner.ReplayConditions(count, generator);
    }

    public int ReplayClassCount => inner.ReplayClassCount;

    public TrainingBatch Subset(int count, Generator generator)
    {
        Check(nameof(Subset));
        return inner.Subset(count, generator);
    }

    private void Check(string what)
    {
        if (Closed)
        {
            ReadsAfterClose++;
            throw new InvalidOperationException($"{what} read the demonstrations of finished task '{Name}'");
        }
    }
}
