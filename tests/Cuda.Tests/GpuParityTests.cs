using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>The GPU parity suite and a few end-to-end GPU checks; skipped, with the reason shown, where there is no GPU.</summary>
public class GpuParityTests
{
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

    private static CudaBackend RequireGpu()
    {
        Skip.If(Gpu.Value.Backend is null, Gpu.Value.Reason);
        return Gpu.Value.Backend!;
    }

    [SkippableFact]
    public void EveryOpMatchesTheCpuReference()
    {
        var gpu = RequireGpu();
        var results = new CudaParitySuite(gpu).Run();
        var failed = results.Where(r => !r.Passed).Select(r => $"{r.Name}: error {r.Error:E2} > {r.Tolerance:E0} {r.Failure}").ToArray();
        Assert.True(failed.Length == 0, string.Join("\n", failed));
    }

    [SkippableFact]
    public void TrainingStepAllocatesNothingAfterTheFirst()
    {
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
