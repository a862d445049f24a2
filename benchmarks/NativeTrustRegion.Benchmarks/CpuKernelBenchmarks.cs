using BenchmarkDotNet.Attributes;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Benchmarks;

/// <summary>
/// CPU kernels on shapes of the small image UNet (batch 32, 16×16 and 8×8 maps). Every benchmark reports its work
/// (FLOPs or bytes) so the runner can turn times into GFLOP/s or GB/s; the OpenBLAS sgemm on the same machine in the
/// same run is the reference the engine's numbers are divided by.
/// </summary>
[MemoryDiagnoser]
public class CpuKernelBenchmarks
{
    public const int GemmSize = 512;
    public static readonly int[] ConvInput = [32, 64, 16, 16];
    public static readonly int[] ConvWeight = [64, 64, 3, 3];

    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private Tensor _ta = null!;
    private Tensor _tb = null!;
    private Tensor _x = null!;
    private Tensor _w = null!;
    private Tensor _gamma = null!;
    private Tensor _beta = null!;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _a = Tensor.Randn([GemmSize, GemmSize], g).ToFloatArray();
        _b = Tensor.Randn([GemmSize, GemmSize], g).ToFloatArray();
        _c = new float[GemmSize * GemmSize];
        _ta = Tensor.FromArray(_a, GemmSize, GemmSize);
        _tb = Tensor.FromArray(_b, GemmSize, GemmSize);
        _x = Tensor.Randn(ConvInput, g);
        _x.RequiresGrad = true;
        _w = Tensor.Randn(ConvWeight, g) * 0.05;
        _w = _w.Detach();
        _w.RequiresGrad = true;
        _gamma = Tensor.Ones([64]);
        _beta = Tensor.Zeros([64]);
    }

    /// <summary>Reference: one OpenBLAS sgemm call on one thread.</summary>
    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm512()
    {
        Gemm.ForceManaged = false;
        Gemm.Float32Override = GemmKernel.OpenBlas;
        Gemm.Single(false, false, GemmSize, GemmSize, GemmSize, 1f, _a, GemmSize, _b, GemmSize, 0f, _c, GemmSize);
        Gemm.Float32Override = null;
    }

    /// <summary>The float32 kernel the engine uses by default (the AVX-512 one where the CPU has AVX-512F) on one thread.</summary>
    [Benchmark]
    public void DefaultSgemm512()
    {
        Gemm.ForceManaged = false;
        Gemm.Single(false, false, GemmSize, GemmSize, GemmSize, 1f, _a, GemmSize, _b, GemmSize, 0f, _c, GemmSize);
    }

    /// <summary>The managed fallback GEMM on one thread.</summary>
    [Benchmark]
    public void ManagedSgemm512()
    {
        Gemm.ForceManaged = true;
        Gemm.Single(false, false, GemmSize, GemmSize, GemmSize, 1f, _a, GemmSize, _b, GemmSize, 0f, _c, GemmSize);
        Gemm.ForceManaged = false;
    }

    /// <summary>Ops.MatMul: the engine's multithreaded GEMM driver (all cores).</summary>
    [Benchmark]
    public void EngineMatMul512()
    {
        using var scope = TensorScope.Begin();
        Ops.MatMul(_ta, _tb);
    }

    [Benchmark]
    public void Conv2dForward()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        Ops.Conv2d(_x, _w, null, 1, 1);
    }

    [Benchmark]
    public void Conv2dForwardBackward()
    {
        using var scope = TensorScope.Begin();
        var y = Ops.Conv2d(_x, _w, null, 1, 1);
        GradTape.Current.Backward(Ops.SumAll(y));
        _x.Grad = null;
        _w.Grad = null;
    }

    [Benchmark]
    public void GroupNormForward()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        Ops.GroupNorm(_x, 32, _gamma, _beta);
    }

    [Benchmark]
    public void GroupNormForwardBackward()
    {
        using var scope = TensorScope.Begin();
        var y = Ops.GroupNorm(_x, 32, _gamma, _beta);
        GradTape.Current.Backward(Ops.SumAll(y));
        _x.Grad = null;
    }

    /// <summary>Work per benchmark: (floating-point operations, bytes moved at least once).</summary>
    public static (double Flops, double Bytes) Work(string benchmark)
    {
        double gemm = 2.0 * GemmSize * GemmSize * GemmSize;
        var g = new ConvGeometry(ConvInput[0], ConvInput[1], ConvInput[2], ConvInput[3], ConvWeight[0], 3, 3, 1, 1, 1, 1);
        double conv = 2.0 * g.MacCount;
        double gnBytes = 4.0 * Shape.Numel(ConvInput);
        return benchmark switch
        {
            nameof(OpenBlasSgemm512) or nameof(DefaultSgemm512) or nameof(ManagedSgemm512) or nameof(EngineMatMul512) => (gemm, 12.0 * GemmSize * GemmSize),
            nameof(Conv2dForward) => (conv, 0),
            nameof(Conv2dForwardBackward) => (3 * conv, 0),
            nameof(GroupNormForward) => (0, 2 * gnBytes),
            nameof(GroupNormForwardBackward) => (0, 6 * gnBytes),
            _ => (0, 0),
        };
    }
}
