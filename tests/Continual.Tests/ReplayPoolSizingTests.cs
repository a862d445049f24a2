using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>Generative replay pools sized per task (the default) or per class of every finished task (the TRCL authors' code).</summary>
public sealed class ReplayPoolSizingTests
{
    [Fact]
    public void PerClassPoolsHoldThatManySamplesOfEveryClassOfEveryFinishedTask()
    {
        // task 1 has classes {0, 1}, task 2 has class {2}: 3 per class → 6 + 3 samples
        var harness = new MethodHarness(new Hyperparameters { ReplayPoolPerClass = 3, ReplayPoolPerTask = 100, ReplayDdimSteps = 2, ReplayGenerationBatch = 4 });
        var ctx = harness.Context;
        var pool = new ConditionalSampleReplay().Build(ctx, new FrozenWeights(ctx.Parameters), lastTask: 1);
        Assert.Equal(9, pool.Count);
        Assert.Equal(new double[] { 0, 1, 0, 1, 0, 1, 2, 2, 2 }, pool.Conditions!.ToDoubleArray());
        Assert.All(pool.Samples.ToDoubleArray(), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void PerTaskPoolsIgnoreTheClassCount()
    {
        var harness = new MethodHarness(new Hyperparameters { ReplayPoolPerTask = 5, ReplayDdimSteps = 2, ReplayGenerationBatch = 4 });
        var ctx = harness.Context;
        var pool = new ConditionalSampleReplay().Build(ctx, new FrozenWeights(ctx.Parameters), lastTask: 1);
        Assert.Equal(10, pool.Count);
        Assert.Equal(new double[] { 0, 1, 0, 1, 0, 2, 2, 2, 2, 2 }, pool.Conditions!.ToDoubleArray());
    }
}
