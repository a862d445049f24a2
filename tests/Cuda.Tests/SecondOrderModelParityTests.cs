using NativeTrustRegion.Tests.Shared;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// Second-order gradients of whole models on the CUDA back end (the emulated device in CI): the Hessian-vector product
/// of the MSE loss of a small image UNet (attention, resnet resampling, class table) and a small policy UNet (1-D convs,
/// GroupNorm, Mish, FiLM, attention) on the GPU against the same computation on the CPU, float32, FP32 GEMMs, same
/// weights and data. The per-op second-order parity cases are in <see cref="CudaParitySuite"/>.
/// </summary>
[Collection(CudaTestDevice.Collection)]
public class SecondOrderModelParityTests
{
    private static ImageUNetConfig Image => TinyUNets.TwoLevelImage;

    private static PolicyUNetConfig Policy => TinyUNets.Policy;

    [SkippableFact]
    public void ImageUNetHessianVectorProductMatchesTheCpu()
    {
        var gpu = GpuParityTests.RequireGpu();
        var error = CompareDevices(gpu, store => new ImageUNet(store, Image), (model, device) =>
        {
            var g = new Generator(4);
            var x = Tensor.Randn([2, 2, 8, 8], g).To(device);
            var target = Tensor.Randn([2, 2, 8, 8], g).To(device);
            var t = Tensor.FromArray([17f, 640f], 2).To(device);
            var labels = Tensor.FromArray([2f, 0f], 2).To(device);
            return Ops.MseLoss(model.PredictNoise(x, t, labels), target);
        });
        Assert.True(error <= 3e-5, $"image UNet H·v: GPU vs CPU relative error {error:E2} > 3e-5");
    }

    [SkippableFact]
    public void PolicyUNetHessianVectorProductMatchesTheCpu()
    {
        var gpu = GpuParityTests.RequireGpu();
        var error = CompareDevices(gpu, store => new PolicyUNet(store, Policy), (model, device) =>
        {
            var g = new Generator(6);
            var actions = Tensor.Randn([3, 4, 2], g).To(device);
            var observations = Tensor.Randn([3, 2, 3], g).To(device);
            var target = Tensor.Randn([3, 4, 2], g).To(device);
            var t = Tensor.FromArray([3f, 250f, 999f], 3).To(device);
            return Ops.MseLoss(model.PredictNoise(actions, t, observations), target);
        });
        Assert.True(error <= 3e-5, $"policy UNet H·v: GPU vs CPU relative error {error:E2} > 3e-5");
    }

    /// <summary>max|H·v_gpu − H·v_cpu| / max|H·v_cpu| for the same weights (initialised on the CPU, copied up) and direction v.</summary>
    private static double CompareDevices(CudaBackend gpu, Func<ParameterStore, IDenoiser> build, Func<IDenoiser, Device, Tensor> loss)
    {
        var saved = gpu.Precision;
        gpu.Precision = MatmulPrecision.Fp32;
        try
        {
            var cpuStore = new ParameterStore(DType.F32);
            var cpuModel = build(cpuStore);
            cpuStore.Allocate(3);
            var gpuStore = new ParameterStore(DType.F32, gpu.Device);
            var gpuModel = build(gpuStore);
            gpuStore.Allocate(3);
            gpuStore.Data.CopyFrom(cpuStore.Data.To(gpu.Device));
            var v = Tensor.Randn([(int)cpuStore.Count], new Generator(77));
            var cpu = HessianVectorProduct(cpuStore, () => loss(cpuModel, Device.Cpu), v);
            var onGpu = HessianVectorProduct(gpuStore, () => loss(gpuModel, gpu.Device), v.To(gpu.Device));
            var scale = cpu.Max(Math.Abs);
            Assert.True(scale > 1e-3, $"H·v is ~0 (max {scale:E2}): the comparison would be vacuous");
            return cpu.Zip(onGpu, (a, b) => Math.Abs(a - b)).Max() / scale;
        }
        finally
        {
            gpu.Precision = saved;
            GradTape.Current.Clear();
        }
    }

    private static double[] HessianVectorProduct(ParameterStore store, Func<Tensor> loss, Tensor v)
    {
        using var scope = TensorScope.Begin();
        var leaves = store.Parameters.Select(p => p.Value).ToArray();
        var gradients = GradTape.Current.Gradients(loss(), leaves);
        var inner = store.Parameters.Select((p, i) => Ops.SumAll(Ops.Mul(gradients[i], ParameterStore.ViewIn(v, p)))).Aggregate(Ops.Add);
        store.ZeroGrad();
        GradTape.Current.Backward(inner);
        return store.Grad.ToDoubleArray();
    }
}
