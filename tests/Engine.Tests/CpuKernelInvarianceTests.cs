using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The CPU fast paths give the numbers of their definitions: vectorised Philox equals the scalar generator, dropout
/// keeps exactly the elements whose Philox uniform passes the threshold, vectorised Adam follows the closed form, and
/// batched convolutions give bit-identical values and gradients for any thread count.
/// </summary>
[Collection("pool")]
public class CpuKernelInvarianceTests
{
    [Theory]
    [InlineData(11UL, 0UL, 1000)]
    [InlineData(0xDEADBEEFCAFEUL, 4_294_967_290UL, 40)] // the counter's low word wraps inside a group of eight
    [InlineData(7UL, 4_294_967_270UL, 70)] // it wraps inside the second group of sixteen (AVX-512)
    [InlineData(7UL, 4_294_967_280UL, 48)] // a group of sixteen ends exactly where it wraps
    [InlineData(3UL, 17UL, 13)]
    public void VectorisedPhiloxUniformsEqualTheScalarOnes(ulong seed, ulong offset, int count)
    {
        var got = new float[count];
        PhiloxVector.UniformFloats(seed, offset, got);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(Philox.UniformFloatAt(seed, offset + (ulong)i), got[i]);
        }
    }

    /// <summary>
    /// Float SiLU's vectorised backward against the derivative in float64, σ(x)·(1 + x·(1 − σ(x))), times the
    /// incoming gradient: 1,003 elements (whole vectors and a tail), once fresh and once accumulated (x used twice).
    /// </summary>
    [Fact]
    public void FloatSiLUBackwardMatchesTheDerivative()
    {
        const int n = 1003;
        var xs = Enumerable.Range(0, n).Select(i => (float)(12 * Math.Sin(0.37 * i + 0.1))).ToArray();
        var us = Enumerable.Range(0, n).Select(i => (float)Math.Cos(0.91 * i)).ToArray();
        double Derivative(double v)
        {
            var s = 1 / (1 + Math.Exp(-v));
            return s * (1 + v * (1 - s));
        }
        foreach (var twice in new[] { false, true })
        {
            var x = Tensor.FromArray(xs, n);
            x.RequiresGrad = true;
            var u = Tensor.FromArray(us, n);
            var y = twice ? Ops.SiLU(x) * u + Ops.SiLU(x) * u : Ops.SiLU(x) * u;
            GradTape.Current.Backward(Ops.SumAll(y));
            var dx = x.Grad!.ToFloatArray();
            for (var i = 0; i < n; i++)
            {
                var expected = (twice ? 2 : 1) * us[i] * Derivative(xs[i]);
                Assert.True(Math.Abs(dx[i] - expected) <= 2e-6 * (1 + Math.Abs(expected)), $"element {i}: {dx[i]} against {expected} (twice: {twice})");
            }
        }
    }

    [Fact]
    public void DropoutKeepsExactlyTheElementsWhosePhiloxUniformPasses()
    {
        const double p = 0.3;
        var x = Tensor.FromArray(Enumerable.Range(0, 1003).Select(i => (float)(i + 1)).ToArray(), 1003);
        var gen = new Generator(5, 21);
        var y = Ops.Dropout(x, p, gen).ToFloatArray();
        for (var i = 0; i < y.Length; i++)
        {
            var kept = Philox.UniformFloatAt(5, 21 + (ulong)i) >= (float)p;
            Assert.Equal(kept ? (i + 1) * (float)(1 / (1 - p)) : 0f, y[i]);
        }
    }

    [Fact]
    public void AdamOverManyElementsMatchesTheClosedForm()
    {
        const int n = 37; // whole SIMD vectors and a remainder
        var store = new ParameterStore(DType.F64);
        store.Declare("p", [n], ParameterInit.Zeros);
        store.Allocate(1);
        var theta = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1.0)).ToArray();
        store.Data.CopyFrom(Tensor.FromArray(theta, n));
        var adam = new Adam(store, learningRate: 0.05);
        double[] m = new double[n], v = new double[n];
        for (var t = 1; t <= 3; t++)
        {
            var grads = Enumerable.Range(0, n).Select(i => Math.Cos(i * t + 0.5)).ToArray();
            store.Grad.CopyFrom(Tensor.FromArray(grads, n));
            adam.Step();
            for (var i = 0; i < n; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * grads[i];
                v[i] = 0.999 * v[i] + 0.001 * grads[i] * grads[i];
                theta[i] -= 0.05 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
            var got = store.Data.ToDoubleArray();
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(theta[i], got[i], 10);
            }
        }
    }

    [Theory]
    [InlineData(32, 16, 8, 3, 1, 1)] // 8x8 images: several samples per GEMM
    [InlineData(9, 16, 16, 3, 1, 1)] // 16x16 (Winograd F(4x4, 3x3) with AVX-512): several chunks, a short last one
    [InlineData(24, 8, 16, 3, 2, 1)] // strided down-sampling
    [InlineData(32, 32, 1, 1, 1, 0)] // 1x1
    [InlineData(7, 12, 1, 5, 1, 2)] // a 1-D sequence of length 1 (as conv1d)
    public void ConvolutionIsBitIdenticalForAnyThreadCount(int n, int c, int hw, int k, int stride, int pad)
    {
        var width = hw == 1 ? 6 : hw;
        var kh = hw == 1 ? 1 : k;
        var padH = hw == 1 ? 0 : pad;
        float[][] Run(int threads)
        {
            var previous = CpuParallel.Threads;
            CpuParallel.Threads = threads;
            try
            {
                var g = new Generator(9);
                var x = Tensor.Randn([n, c, hw, width], g);
                var w = Tensor.Randn([c + 3, c, kh, k], g);
                var b = Tensor.Randn([c + 3], g);
                x.RequiresGrad = true;
                w.RequiresGrad = true;
                b.RequiresGrad = true;
                var y = Ops.Conv2d(x, w, b, (stride, stride), (padH, pad));
                var weights = Tensor.Randn(y.Shape, g);
                GradTape.Current.Backward(Ops.SumAll(y * weights));
                return [y.ToFloatArray(), x.Grad!.ToFloatArray(), w.Grad!.ToFloatArray(), b.Grad!.ToFloatArray()];
            }
            finally
            {
                CpuParallel.Threads = previous;
            }
        }
        var one = Run(1);
        foreach (var threads in new[] { 2, 3, 5 })
        {
            var other = Run(threads);
            for (var i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i], other[i]);
            }
        }
    }

    [Theory]
    [InlineData(false, false, 37, 29, 53)]
    [InlineData(true, false, 300, 64, 96)]
    [InlineData(false, true, 96, 300, 64)]
    [InlineData(false, false, 640, 128, 600)]
    public void ParallelGemmIsBitIdenticalForAnyThreadCount(bool ta, bool tb, int m, int n, int k)
    {
        var g = new Generator(21);
        var a = Tensor.Randn([m * k], g).ToFloatArray();
        var b = Tensor.Randn([k * n], g).ToFloatArray();
        var c0 = Tensor.Randn([m * n], g).ToFloatArray();
        float[] Run(int threads)
        {
            var previous = CpuParallel.Threads;
            CpuParallel.Threads = threads;
            try
            {
                var c = (float[])c0.Clone();
                Gemm.Parallel(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5f, c, 0, n);
                return c;
            }
            finally
            {
                CpuParallel.Threads = previous;
            }
        }
        var one = Run(1);
        foreach (var threads in new[] { 2, 3, 4 })
        {
            Assert.Equal(one, Run(threads));
        }
    }
}
