using System.Diagnostics;
using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The replay generator of a benchmark run. The first pool asked for (per finished task) is built by the real
/// generator and timed between device synchronisations, after a warm-up that runs one DDIM step at each generation
/// batch size (so convolution algorithm searches stay out of the time). Later requests for the same task get a new
/// pool over the same samples: every method under test has a real pool to replay from, and generation is paid once
/// per run rather than once per method (the samples' values do not matter for step speed).
/// </summary>
public sealed class BenchmarkReplayGenerator(IReplayGenerator generator) : IReplayGenerator
{
    private readonly Dictionary<int, ReplayPool> _pools = new();

    /// <summary>The first generation's timing, or null before any.</summary>
    public ReplayGenerationTiming? Timing { get; private set; }

    /// <summary>How many pools were asked for; a method whose set-up raised it replays.</summary>
    public int Requests { get; private set; }

    public ReplayPool Build(ContinualContext ctx, FrozenWeights teacher, int lastTask)
    {
        Requests++;
        if (!_pools.TryGetValue(lastTask, out var pool))
        {
            WarmUp(ctx, teacher);
            var backend = ctx.Parameters.Data.Backend;
            backend.Synchronize();
            var clock = Stopwatch.StartNew();
            pool = generator.Build(ctx, teacher, lastTask);
            backend.Synchronize();
            var batch = Math.Min(ctx.Hyper.ReplayGenerationBatch, ctx.Hyper.ReplayPoolPerTask);
            Timing ??= new ReplayGenerationTiming(pool.Count, batch, ctx.Hyper.ReplayDdimSteps, clock.Elapsed.TotalSeconds);
            _pools[lastTask] = pool;
        }
        var n = pool.Count;
        var samples = pool.Samples.Reshape(new[] { n }.Concat(ctx.Model.SampleShape).ToArray());
        var conditionShape = ctx.Model.ConditionShape;
        var conditions = pool.Conditions is null
            ? null
            : pool.Conditions.Reshape(conditionShape is null || conditionShape.Count == 0 ? [n] : new[] { n }.Concat(conditionShape).ToArray());
        return new ReplayPool(samples, conditions);
    }

    private static void WarmUp(ContinualContext ctx, FrozenWeights teacher)
    {
        var h = ctx.Hyper;
        var sizes = new HashSet<int>();
        for (var start = 0; start < h.ReplayPoolPerTask; start += h.ReplayGenerationBatch)
        {
            sizes.Add(Math.Min(h.ReplayGenerationBatch, h.ReplayPoolPerTask - start));
        }
        var sampler = new DdimSampler(ctx.Schedule, 1);
        var generator = new Generator(0x3A7E);
        foreach (var n in sizes)
        {
            using var scope = TensorScope.Begin();
            var condition = ctx.Stream[0].ReplayConditions(n, generator);
            using (ctx.Parameters.Bind(teacher.Weights))
            {
                sampler.Sample(ctx.Model, condition, n, generator);
            }
        }
    }
}
