namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// Data-parallel gradient averaging: after every rank has back-propagated the mean loss of its equal shard of the
/// batch into the flat gradient buffer, the buffer becomes the mean over ranks — the gradient of the mean loss over
/// the whole batch — on every rank, before the optimizer step.
/// </summary>
public static class GradientAveraging
{
    /// <summary>Replaces the contiguous tensor <paramref name="flat"/> on every rank by its mean over the ranks.</summary>
    public static void AllReduceMean(ICollective collective, Tensor flat)
    {
        if (collective.Size > 1)
        {
            TensorAllReduce.Sum(collective, flat, 1.0 / collective.Size);
        }
    }
}
