using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>Tests that read the process-wide buffer pool counters run alone.</summary>
[CollectionDefinition("pool", DisableParallelization = true)]
public class PoolCollection;

/// <summary>Pooled allocation, determinism, gradient accumulation and no_grad behaviour.</summary>
[Collection("pool")]
public class RuntimeBehaviourTests
{
    private static (ParameterStore Store, Func<Tensor, Tensor> Net) SmallNet(ulong seed)
    {
        var store = new ParameterStore();
        var c = store.Declare("conv.weight", [4, 1, 3, 3], ParameterInit.FanIn(9));
        var cb = store.Declare("conv.bias", [4], ParameterInit.FanIn(9));
        var gw = store.Declare("norm.weight", [4], ParameterInit.Ones);
        var gb = store.Declare("norm.bias", [4], ParameterInit.Zeros);
        var q = store.Declare("attn.qkv.weight", [12, 4], ParameterInit.FanIn(4));
        var fc = store.Declare("fc.weight", [1, 4 * 36], ParameterInit.FanIn(144));
        store.Allocate(seed);
        return (store, x =>
        {
            var h = Ops.SiLU(Ops.GroupNorm(Ops.Conv2d(x, c.Value, cb.Value, 1, 1), 2, gw.Value, gb.Value));
            var tokens = h.Reshape(x.Shape[0], 4, 36).Transpose(1, 2);
            var qkv = Ops.Linear(tokens, q.Value).Reshape(x.Shape[0], 36, 3, 1, 4).Permute(2, 0, 3, 1, 4);
            var parts = Ops.Split(qkv, 0, 1, 1, 1);
            var a = Ops.ScaledDotProductAttention(parts[0].Squeeze(0), parts[1].Squeeze(0), parts[2].Squeeze(0));
            return Ops.Linear(a.Reshape(x.Shape[0], -1), fc.Value);
        });
    }

    private static double[] Train(ulong seed, int steps, out long[] freshPerStep)
    {
        var (store, net) = SmallNet(seed);
        var adam = new Adam(store, 1e-2);
        var gen = new Generator(seed + 1);
        var pool = BackendRegistry.CpuBackend.Pool;
        freshPerStep = new long[steps];
        var losses = new double[steps];
        for (var s = 0; s < steps; s++)
        {
            var before = pool.FreshAllocations;
            using (var scope = TensorScope.Begin())
            {
                var x = Tensor.Randn([3, 1, 6, 6], gen);
                var y = Tensor.Randn([3, 1], gen);
                store.ZeroGrad();
                var loss = Ops.MseLoss(net(Ops.Dropout(x, 0.1, gen)), y);
                GradTape.Current.Backward(loss);
                GradientClipping.ClipGlobalNorm(store.Grad, 1.0);
                adam.Step();
                losses[s] = loss.Item();
            }
            freshPerStep[s] = pool.FreshAllocations - before;
        }
        return losses;
    }

    [Fact]
    public void TrainingStepAllocatesNoNewBuffersAfterTheFirstStep()
    {
        BackendRegistry.CpuBackend.Pool.Trim();
        Train(3, 5, out var fresh);
        Assert.True(fresh[0] > 0);
        Assert.All(fresh.Skip(1), f => Assert.Equal(0, f));
    }

    [Fact]
    public void SameSeedGivesBitIdenticalTraining()
    {
        var a = Train(7, 8, out _);
        var b = Train(7, 8, out _);
        Assert.Equal(a, b);
        var c = Train(8, 8, out _);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardPassesUntilZeroed()
    {
        var store = new ParameterStore(DType.F64);
        var w = store.Declare("w", [3], ParameterInit.Ones);
        store.Allocate(1);
        var x = Tensor.FromArray(new double[] { 1, 2, 3 }, 3);
        for (var i = 0; i < 2; i++)
        {
            GradTape.Current.Backward(Ops.SumAll(w.Value * x));
        }
        Assert.Equal(new double[] { 2, 4, 6 }, store.Grad.ToDoubleArray());
        store.ZeroGrad();
        Assert.Equal(new double[] { 0, 0, 0 }, store.Grad.ToDoubleArray());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var store = new ParameterStore();
        var w = store.Declare("w", [2], ParameterInit.Ones);
        store.Allocate(1);
        var before = GradTape.Current.Count;
        using (GradMode.NoGrad())
        {
            var y = w.Value * 3.0;
            Assert.False(y.RequiresGrad);
        }
        Assert.Equal(before, GradTape.Current.Count);
    }

    [Fact]
    public void BindRunsTheSameLayersWithOtherWeights()
    {
        var store = new ParameterStore(DType.F64);
        var w = store.Declare("w", [2], ParameterInit.Ones);
        store.Allocate(1);
        var other = store.NewFlat();
        other.CopyFrom(Tensor.FromArray(new double[] { 5, 7 }, 2));
        using (store.Bind(other))
        {
            Assert.Equal(new double[] { 5, 7 }, w.Value.ToDoubleArray());
        }
        Assert.Equal(new double[] { 1, 1 }, w.Value.ToDoubleArray());
    }

    [Fact]
    public void ParameterInitialisationIsPyTorchLikeAndSeeded()
    {
        var a = new ParameterStore();
        var p = a.Declare("layer.weight", [64, 100], ParameterInit.FanIn(100));
        a.Declare("norm.weight", [64], ParameterInit.Ones);
        a.Allocate(42);
        var values = p.Value.ToFloatArray();
        Assert.All(values, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.InRange(values.Select(v => (double)v * v).Average(), 0.1 * 0.1 / 3 * 0.95, 0.1 * 0.1 / 3 * 1.05);
        var b = new ParameterStore();
        b.Declare("layer.weight", [64, 100], ParameterInit.FanIn(100));
        b.Declare("norm.weight", [64], ParameterInit.Ones);
        b.Allocate(42);
        Assert.Equal(a.Data.ToFloatArray(), b.Data.ToFloatArray());
    }
}
