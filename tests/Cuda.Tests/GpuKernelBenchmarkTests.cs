using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Benchmarks;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The kernel benchmark's GPU path (CUDA-event timer, the GPU's kernel load log, references on the device) on the
/// emulated device or, with NTR_CUDA_TESTS_REAL_GPU=1, the real GPU: one small prepared case, one call per pass.
/// Nothing is timed against a bound; the byte floor is recomputed from the layer sizes.
/// </summary>
[Collection(CudaTestDevice.Collection)]
public class GpuKernelBenchmarkTests
{
    [SkippableFact]
    public void TheBenchmarkRunsACaseOfTheTableOnTheGpu()
    {
        var gpu = GpuParityTests.RequireGpu();
        var options = KernelBenchmarkOptions.Quick("timestep embedding image-paper") with { GemmSize = 64, CopyBytes = 1 << 20 };
        var report = new KernelBenchmarkSuite(gpu.Device, options).Run();
        Assert.Equal("cuda-events", report.Timer);
        Assert.Equal(gpu.Description.Name, report.Device.Name);
        Assert.Contains(report.KernelSources, s => s.StartsWith("embedding:", StringComparison.Ordinal));
        Assert.Equal(2.0 * 64 * 64 * 64, report.Gemm.Flops);
        var call = Assert.Single(report.Cases);
        Assert.Equal(KernelBenchmarkPass.Call, call.Pass);
        Assert.Equal(4.0 * (128 + 256 + 128 * 128 + 256 * 512), call.Bytes);
        Assert.Equal(1, call.Calls);
        Assert.True(call.Milliseconds > 0);
    }
}
