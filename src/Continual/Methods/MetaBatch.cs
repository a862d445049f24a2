using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// The paper's bilevel batch: the training batch split evenly into support and query (64 + 64 for images), each
/// extended with replay samples when a pool exists (replay ratio applied to each half), so a meta-update processes
/// as many current-task samples as one update of the other methods.
/// </summary>
public static class MetaBatch
{
    public static (TrainingBatch Support, TrainingBatch Query) Draw(ContinualContext ctx, int task, ReplayMemory memory)
    {
        var h = ctx.Hyper;
        var half = Math.Max(1, h.BatchSize / 2);
        var batch = ctx.Stream[task].NextBatch(2 * half);
        var support = batch.Slice(0, half);
        var query = batch.Slice(half, half);
        if (memory.Pool is not null && h.ReplayRatio > 0)
        {
            var n = Math.Max(1, (int)Math.Round(h.ReplayRatio * half));
            support = TrainingBatch.Concat(support, memory.Next(ctx, n));
            query = TrainingBatch.Concat(query, memory.Next(ctx, n));
        }
        return (support, query);
    }
}
