using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// The data-parallel denoising step: every rank draws the whole batch and its whole (t, ε) draw — so every random
/// stream advances exactly as in a one-rank run — keeps its equal shard of rows, back-propagates the shard's mean loss
/// and averages the flat gradient over the ranks: the gradient of the whole batch's mean loss. Identical to one rank
/// up to the order of floating-point sums (the weight gradients' sums over the batch are split in two and added).
/// Dropout masks are drawn per shard, so models with dropout match one rank only in distribution.
/// </summary>
public static class DataParallel
{
    /// <summary>The methods whose step shards the batch over ranks (the others would repeat the whole batch on every rank).</summary>
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal) { "finetune", "ewc", "ewc-diag" };

    /// <summary>Zeroes the gradient, back-propagates this rank's shard of <paramref name="batch"/>, averages over ranks; returns the whole batch's mean loss.</summary>
    public static double Backward(ContinualContext ctx, TrainingBatch batch)
    {
        var collective = ctx.Collective;
        var (start, count) = Shard(batch.Size, collective);
        var draw = NoiseDraw.Sample(ctx.Schedule, batch.X0, ctx.Noise);
        var shard = batch.Slice(start, count);
        var shardDraw = new NoiseDraw(draw.Timesteps[start..(start + count)], draw.Noise.Slice(0, start, count));
        ctx.Model.Training = true;
        var loss = DenoisingLoss.Compute(ctx.Model, ctx.Schedule, shard.X0, shard.Condition, shardDraw);
        var value = DiffusionObjective.Backward(ctx, loss);
        GradientAveraging.AllReduceMean(collective, ctx.Parameters.Grad);
        Span<double> mean = [value / collective.Size];
        collective.AllReduceSum(mean);
        return mean[0];
    }

    /// <summary>Rows [start, start + count) of a batch of <paramref name="batchSize"/> that this rank trains on.</summary>
    public static (int Start, int Count) Shard(int batchSize, ICollective collective)
    {
        if (batchSize % collective.Size != 0)
        {
            throw new ArgumentException(
                $"batch size {batchSize} does not split evenly over {collective.Size} ranks. Fix: run with a number of ranks that divides the batch size.");
        }
        var count = batchSize / collective.Size;
        return (collective.Rank * count, count);
    }
}
