using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// The data-parallel denoising step: every rank draws the whole batch and its whole (t, ε) draw — so every random
/// stream advances exactly as in a one-rank run — keeps its equal shard of rows, back-propagates the shard's mean loss
/// and averages the flat gradient over the ranks: the gradient of the whole batch's mean loss. Identical to one rank
/// up to the order of floating-point sums (the weight gradients' sums over the batch are split in two and added).
/// Dropout masks are drawn per shard, so models with dropout match one rank only in distribution.
/// With generative replay (replay, trust-region) every rank also draws the whole replay batch, the whole (t, ε) of
/// current ∪ replay and the whole (t′, ε′) of the distillation term, and keeps its shard of the current rows and its
/// shard of the replay rows. The Fisher estimate and the replay pool are split in their own classes
/// (<see cref="Fisher.FisherEstimate"/>, <see cref="Replay.ConditionalSampleReplay"/>).
/// </summary>
public static class DataParallel
{
    /// <summary>The methods whose step shards the batch over ranks (the others would repeat the whole batch on every rank).</summary>
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal) { "finetune", "ewc", "ewc-diag", "replay", "trust-region" };

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

    /// <summary>
    /// The replay step's gradient, data-parallel: L = L_diff(current ∪ replay) + w·L_distill(replay) over the whole
    /// batches, as one rank computes it, from each rank's shard of the current rows and of the replay rows; returns
    /// the whole batches' loss. Both batches must split evenly over the ranks.
    /// </summary>
    public static double BackwardWithReplay(ContinualContext ctx, TrainingBatch real, TrainingBatch replay, FrozenWeights teacher, double distillationWeight)
    {
        var collective = ctx.Collective;
        var (realStart, realCount) = Shard(real.Size, collective);
        var (replayStart, replayCount) = Shard(replay.Size, collective, "replay batch");
        var combined = TrainingBatch.Concat(real, replay);
        var draw = NoiseDraw.Sample(ctx.Schedule, combined.X0, ctx.Noise);
        var distillDraw = distillationWeight > 0 ? NoiseDraw.Sample(ctx.Schedule, replay.X0, ctx.Noise) : null;

        var myReplay = replay.Slice(replayStart, replayCount);
        var shard = TrainingBatch.Concat(real.Slice(realStart, realCount), myReplay);
        var replayRow = real.Size + replayStart;
        var shardDraw = new NoiseDraw(
            [.. draw.Timesteps[realStart..(realStart + realCount)], .. draw.Timesteps[replayRow..(replayRow + replayCount)]],
            Ops.Concat([draw.Noise.Slice(0, realStart, realCount), draw.Noise.Slice(0, replayRow, replayCount)], 0));
        ctx.Model.Training = true;
        var loss = DenoisingLoss.Compute(ctx.Model, ctx.Schedule, shard.X0, shard.Condition, shardDraw);
        if (distillDraw is not null)
        {
            var myDistillDraw = new NoiseDraw(distillDraw.Timesteps[replayStart..(replayStart + replayCount)], distillDraw.Noise.Slice(0, replayStart, replayCount));
            loss = loss + DiffusionObjective.DistillationLoss(ctx, myReplay, teacher, myDistillDraw) * distillationWeight;
        }
        var value = DiffusionObjective.Backward(ctx, loss);
        GradientAveraging.AllReduceMean(collective, ctx.Parameters.Grad);
        Span<double> mean = [value / collective.Size];
        collective.AllReduceSum(mean);
        return mean[0];
    }

    /// <summary>Rows [start, start + count) of a batch of <paramref name="batchSize"/> that this rank trains on.</summary>
    public static (int Start, int Count) Shard(int batchSize, ICollective collective, string what = "batch")
    {
        if (batchSize % collective.Size != 0)
        {
            throw new ArgumentException(
                $"{what} size {batchSize} does not split evenly over {collective.Size} ranks. Fix: run with a number of ranks that divides the {what} size" +
                (what == "batch" ? "." : " (replay_ratio × batch_size, rounded)."));
        }
        var count = batchSize / collective.Size;
        return (collective.Rank * count, count);
    }
}
