using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Replay;

/// <summary>
/// Generative replay for conditional diffusion models: for every finished task, <c>ReplayPoolPerTask</c> samples (or
/// <c>ReplayPoolPerClass</c> per class of the task, as the TRCL authors' code sizes its pool) drawn by
/// the frozen teacher with DDIM (η = 0, <c>ReplayDdimSteps</c> steps) under conditions that cycle through the task's
/// classes (or, for policies, observations of the task). Generation batches are seeded from the run seed.
/// Over several data-parallel ranks every rank draws every generation batch's conditions and initial noise x_T (so
/// each sample gets the draw it gets in one process), denoises only its share of the batch's rows, and the pool —
/// zero outside each rank's rows — is summed over the ranks: every rank holds the pool one process generates.
/// </summary>
public sealed class ConditionalSampleReplay : IReplayGenerator
{
    public ReplayPool Build(ContinualContext ctx, FrozenWeights teacher, int lastTask)
    {
        var h = ctx.Hyper;
        // η = 0: the sampler draws nothing after x_T, so a rank can denoise any subset of a batch
        var sampler = new DdimSampler(ctx.Schedule, h.ReplayDdimSteps, eta: 0.0);
        var collective = ctx.Collective;
        var store = ctx.Parameters;
        var perTaskCounts = Enumerable.Range(0, lastTask + 1).Select(t => h.ReplaySamplesForTask(ctx.Stream[t].ReplayClassCount, ctx.Stream[t].Name)).ToArray();
        var total = perTaskCounts.Sum();
        var sampleShape = ctx.Model.SampleShape.ToArray();
        var samples = Tensor.ZerosUnscoped(new[] { total }.Concat(sampleShape).ToArray(), store.DType, store.Device);
        Tensor? conditions = null;
        var row = 0;
        var generator = Generator.Derive(ctx.Seed, 0x4E9A0000UL + (ulong)lastTask);
        var training = ctx.Model.Training;
        ctx.Model.Training = false;
        try
        {
            for (var task = 0; task <= lastTask; task++)
            {
                using var taskScope = TensorScope.Begin();
                var perTask = perTaskCounts[task];
                var allConditions = ctx.Stream[task].ReplayConditions(perTask, generator);
                if (allConditions is not null && conditions is null)
                {
                    conditions = Tensor.EmptyUnscoped(new[] { total }.Concat(allConditions.Shape.Skip(1)).ToArray(), store.DType, store.Device);
                }
                for (var start = 0; start < perTask; start += h.ReplayGenerationBatch)
                {
                    using var scope = TensorScope.Begin();
                    var n = Math.Min(h.ReplayGenerationBatch, perTask - start);
                    var cond = allConditions?.Slice(0, start, n);
                    var initialNoise = Tensor.Randn(new[] { n }.Concat(sampleShape).ToArray(), generator, store.DType, store.Device);
                    var (first, count) = collective.Share(n);
                    if (count > 0)
                    {
                        Tensor x;
                        using (store.Bind(teacher.Weights))
                        using (GradMode.NoGrad())
                        {
                            x = sampler.Sample(ctx.Model, cond?.Slice(0, first, count), initialNoise.Slice(0, first, count));
                        }
                        samples.Slice(0, row + start + first, count).CopyFrom(x);
                    }
                    if (cond is not null)
                    {
                        conditions!.Slice(0, row + start, n).CopyFrom(cond);
                    }
                }
                row += perTask;
            }
        }
        finally
        {
            ctx.Model.Training = training;
        }
        // every row was written by exactly one rank and is zero on the others: the sum assembles the pool exactly
        TensorAllReduce.Sum(collective, samples);
        return new ReplayPool(samples, conditions);
    }
}
