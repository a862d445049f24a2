using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The GPU parity suite and a few end-to-end GPU checks, on the emulated device (<see cref="CudaTestDevice"/>) or, with
/// NTR_CUDA_TESTS_REAL_GPU=1, on the real GPU (skipped, with the reason shown, where there is none).
/// </summary>
[Collection(CudaTestDevice.Collection)]
public class GpuParityTests
{
    /// <summary>
    /// Whether the emulator library carries the cuBLAS/cuDNN stand-ins (branch emu-vendor). The one switch for the cases
    /// of <see cref="CudaParitySuite.VendorLibraryCases"/> (GEMM, convolution, collinearity) on the emulated device:
    /// set it to true once kernels/emulator/cublas_standin.cpp and cudnn_standin.cpp are merged.
    /// </summary>
    internal const bool VendorStandInsMerged = true;

    /// <summary>
    /// Cases that fail on every device today, with the reason and the text their failure must show. When one is fixed,
    /// this test says so: remove it from here.
    /// </summary>
    internal static readonly Dictionary<string, (string Reason, string FailureShows)> KnownDefects = new()
    {
    };

    private static readonly Lazy<(CudaBackend? Backend, string Reason)> Gpu = new(() =>
    {
        try
        {
            if (CudaBackend.DeviceCount() == 0)
            {
                return (null, "the CUDA driver sees no GPU");
            }
            return ((CudaBackend)BackendRegistry.For(Device.Cuda(0)), "");
        }
        catch (Exception e) when (e is CudaLibraryNotFoundException or CudaException or DllNotFoundException)
        {
            return (null, $"no GPU: {e.Message}");
        }
    });

    internal static CudaBackend RequireGpu()
    {
        if (CudaTestDevice.Emulated)
        {
            Assert.True(Gpu.Value.Backend is not null, $"the emulated CUDA device did not open: {Gpu.Value.Reason}");
        }
        Skip.If(Gpu.Value.Backend is null, Gpu.Value.Reason);
        return Gpu.Value.Backend!;
    }

    private static bool SkipVendorCases => CudaTestDevice.Emulated && !VendorStandInsMerged;

    [SkippableFact]
    public void EveryOpMatchesTheCpuReference()
    {
        var gpu = RequireGpu();
        var suite = new CudaParitySuite(gpu);
        var results = suite.Run(filter: null).Where(r => !(SkipVendorCases && suite.VendorLibraryCases.Contains(r.Name))).ToArray();
        Assert.True(results.Length >= 60, $"only {results.Length} parity cases ran");
        var failed = results.Where(r => !r.Passed && !KnownDefects.ContainsKey(r.Name)).Select(r => $"{r.Name}: error {r.Error:E2} > {r.Tolerance:E0} {r.Failure}").ToArray();
        Assert.True(failed.Length == 0, string.Join("\n", failed));
        foreach (var (name, (reason, shows)) in KnownDefects)
        {
            var result = Assert.Single(results, r => r.Name == name);
            Assert.False(result.Passed, $"{name} passes now ({reason}): remove it from GpuParityTests.KnownDefects");
            Assert.Contains(shows, (result.Failure ?? "") + " error " + result.Error.ToString("E2"), StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void TrainingStepAllocatesNothingAfterTheFirst()
    {
        Skip.If(SkipVendorCases, "needs cuBLAS (MatMul): on the emulated device once the stand-ins are merged (GpuParityTests.VendorStandInsMerged)");
        var gpu = RequireGpu();
        var device = gpu.Device;
        var w = Tensor.Randn([64, 64], new Engine.Randomness.Generator(1), device: device);
        w.RequiresGrad = true;
        long fresh = 0;
        for (var step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.Randn([32, 64], new Engine.Randomness.Generator(2), device: device);
            var loss = Ops.MseLoss(Ops.SiLU(Ops.MatMul(x, w)), x);
            Engine.Autograd.GradTape.Current.Backward(loss);
            if (step == 1)
            {
                fresh = gpu.Pool.FreshAllocations;
            }
        }
        Assert.Equal(fresh, gpu.Pool.FreshAllocations);
    }
}
