using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

[Collection("pool")]
public class GemmAndOptimizerTests
{
    [Theory]
    [InlineData(false, false, 37, 29, 53)]
    [InlineData(true, false, 64, 17, 128)]
    [InlineData(false, true, 5, 300, 9)]
    [InlineData(true, true, 1, 1, 1)]
    [InlineData(false, false, 130, 70, 260)]
    public void ManagedGemmMatchesOpenBlasAndTheDefinition(bool ta, bool tb, int m, int n, int k)
    {
        var g = new Generator(1);
        var a = Tensor.Randn(ta ? [k, m] : [m, k], g).ToFloatArray();
        var b = Tensor.Randn(tb ? [n, k] : [k, n], g).ToFloatArray();
        var c0 = Tensor.Randn([m, n], g).ToFloatArray();
        int lda = ta ? m : k, ldb = tb ? k : n;
        var reference = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double acc = 0;
            for (var p = 0; p < k; p++)
            {
                acc += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            }
            reference[i * n + j] = 0.5 * acc + 2.0 * c0[i * n + j];
        }
        foreach (var managed in new[] { true, false })
        {
            Gemm.ForceManaged = managed;
            try
            {
                var c = (float[])c0.Clone();
                Gemm.Single(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c, n);
                for (var i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(c[i] - reference[i]) <= 1e-4 * (1 + Math.Abs(reference[i])), $"{(managed ? "managed" : Gemm.Implementation)} element {i}: {c[i]} vs {reference[i]}");
                }
            }
            finally
            {
                Gemm.ForceManaged = false;
            }
        }
    }

    [Fact]
    public void GemmOperandTooSmallForItsShapeIsRefusedBeforeNativeCode()
    {
        var a = new float[6];   // [2, 3]
        var b = new float[12];  // [3, 4]
        var c = new float[7];   // needs [2, 4] = 8
        var e = Assert.Throws<ArgumentException>(() => Gemm.Single(false, false, 2, 4, 3, 1f, a, 3, b, 4, 0f, c, 4));
        Assert.Contains("GEMM operand C: a [2, 4] matrix with leading dimension 4 does not fit in 7 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Single(true, false, 2, 4, 3, 1f, a, 3, b, 4, 0f, new float[8], 4));
        Assert.Contains("GEMM operand A: a [3, 2] matrix with leading dimension 3", e.Message);
    }

    [Fact]
    public void OpenBlasIsLoadedOnThisMachine()
    {
        // .ci/run installs libopenblas0-pthread; without it the engine silently falls back, which this test reports
        // (float64 always runs on OpenBLAS; float32 on the engine's AVX-512 kernel where the CPU has AVX-512F).
        Assert.True(OpenBlas.IsAvailable, OpenBlas.UnavailableReason);
        Assert.Equal(Avx512Sgemm.IsSupported ? "avx512 (engine)" : "openblas", Gemm.Implementation);
    }

    [Fact]
    public void TrainingLossesMatchBetweenOpenBlasAndManagedGemm()
    {
        double[] Run()
        {
            var store = new ParameterStore();
            var w = store.Declare("w", [16, 8], ParameterInit.FanIn(8));
            var c = store.Declare("c", [4, 1, 3, 3], ParameterInit.FanIn(9));
            store.Allocate(3);
            var adam = new Adam(store, 1e-2);
            var gen = new Generator(4);
            var losses = new double[5];
            for (var s = 0; s < 5; s++)
            {
                using var scope = TensorScope.Begin();
                store.ZeroGrad();
                var x = Tensor.Randn([2, 1, 4, 4], gen);
                var h = Ops.Conv2d(x, c.Value, null, 1, 1).Reshape(16, 8);
                var loss = Ops.MeanAll(Ops.Square(Ops.Linear(h, w.Value)));
                GradTape.Current.Backward(loss);
                adam.Step();
                losses[s] = loss.Item();
            }
            return losses;
        }
        var blas = Run();
        Gemm.ForceManaged = true;
        double[] managed;
        try
        {
            managed = Run();
        }
        finally
        {
            Gemm.ForceManaged = false;
        }
        for (var i = 0; i < blas.Length; i++)
        {
            Assert.Equal(blas[i], managed[i], 5);
        }
    }

    [Fact]
    public void AdamMatchesTheClosedFormForTwoSteps()
    {
        var store = new ParameterStore(DType.F64);
        var p = store.Declare("p", [2], ParameterInit.Zeros);
        store.Allocate(1);
        store.Data.CopyFrom(Tensor.FromArray(new double[] { 1.0, -2.0 }, 2));
        var adam = new Adam(store, learningRate: 0.1);
        double[] theta = [1.0, -2.0], m = [0, 0], v = [0, 0];
        double[][] grads = [[0.5, -1.0], [0.2, 3.0]];
        for (var t = 1; t <= 2; t++)
        {
            store.Grad.CopyFrom(Tensor.FromArray(grads[t - 1], 2));
            adam.Step();
            for (var i = 0; i < 2; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * grads[t - 1][i];
                v[i] = 0.999 * v[i] + 0.001 * grads[t - 1][i] * grads[t - 1][i];
                var mh = m[i] / (1 - Math.Pow(0.9, t));
                var vh = v[i] / (1 - Math.Pow(0.999, t));
                theta[i] -= 0.1 * mh / (Math.Sqrt(vh) + 1e-8);
            }
            var got = store.Data.ToDoubleArray();
            Assert.Equal(theta[0], got[0], 9);
            Assert.Equal(theta[1], got[1], 9);
        }
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void SgdAndGlobalNormClipping()
    {
        var p = Tensor.FromArray(new double[] { 1, 1, 1 }, 3);
        var g = Tensor.FromArray(new double[] { 3, 4, 0 }, 3);
        var norm = GradientClipping.ClipGlobalNorm(g, 1.0);
        Assert.Equal(5.0, norm, 12);
        var clipped = g.ToDoubleArray();
        Assert.Equal(0.6, clipped[0], 6);
        Assert.Equal(0.8, clipped[1], 6);
        Sgd.Step(p, g, 0.5);
        Assert.Equal(new[] { 1 - 0.3, 1 - 0.4, 1.0 }, p.ToDoubleArray().Select(x => Math.Round(x, 6)).ToArray());
        var small = Tensor.FromArray(new double[] { 0.1, 0 }, 2);
        Assert.Equal(0.1, GradientClipping.ClipGlobalNorm(small, 1.0), 12);
        Assert.Equal(new[] { 0.1, 0 }, small.ToDoubleArray());
    }

    [Fact]
    public void GradientCheckerCatchesAWrongBackward()
    {
        // a deliberately wrong op: forward x², backward claims 2.02·x
        var x = GradCheck.Input(new Generator(3), 1, 0, 5);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradCheck.Check(t => WrongSquare(t[0]), [x]));
        GradCheck.Check(t => Ops.Square(t[0]), [x]);
    }

    private sealed class WrongSquareNode(Tensor x) : Node(x)
    {
        public override string Name => "WrongSquare";

        public override void Backward(Tensor g, GradSink grads) => grads.Accumulate(Inputs[0], g * Inputs[0].Detach() * 2.02);
    }

    private static Tensor WrongSquare(Tensor x)
    {
        Tensor y;
        using (GradMode.NoGrad())
        {
            y = Ops.Square(x);
        }
        return GradTape.ShouldRecord(x) ? GradTape.Record(new WrongSquareNode(x), y) : y;
    }
}
