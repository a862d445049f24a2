using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// bf16 on the CUDA back end (the emulated device in CI): the cast kernels give the CPU's bits on every bf16 pattern,
/// bf16 fills, copies and host transfers, and the parity cases of bf16 casts, GEMMs (cublasGemmEx with CUDA_R_16BF and
/// COMPUTE_32F) and convolutions (cuDNN BFLOAT16 tensors, FLOAT compute) against the CPU.
/// </summary>
[Collection(CudaTestDevice.Collection)]
public class Bf16DeviceTests
{
    [SkippableFact]
    public void CastKernelsRoundLikeTheCpuOnEveryBf16Neighbourhood()
    {
        var gpu = GpuParityTests.RequireGpu();
        // every bf16 value, and for each the float32 patterns at, just below and just above its rounding midpoints
        var values = new List<float>();
        for (var b = 0; b < 65536; b++)
        {
            var bits = (uint)b << 16;
            values.Add(BitConverter.UInt32BitsToSingle(bits));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x8000u));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x7FFFu));
            values.Add(BitConverter.UInt32BitsToSingle(bits | 0x8001u));
        }
        var host = values.ToArray();
        var x = Tensor.FromSpan(host, [host.Length], DType.F32, gpu.Device);
        var narrow = Ops.Cast(x, DType.BF16);
        Assert.Equal(DType.BF16, narrow.DType);
        var back = Ops.Cast(narrow, DType.F32).ToFloatArray();
        for (var i = 0; i < host.Length; i++)
        {
            var expected = (uint)BFloat16.FromFloat(host[i]) << 16;
            Assert.True(expected == BitConverter.SingleToUInt32Bits(back[i]),
                $"float32 0x{BitConverter.SingleToUInt32Bits(host[i]):X8}: device bf16 0x{BitConverter.SingleToUInt32Bits(back[i]) >> 16:X4}, CPU 0x{expected >> 16:X4}");
        }
    }

    [SkippableFact]
    public void Bf16FillsCopiesAndTransfersKeepTheBits()
    {
        var gpu = GpuParityTests.RequireGpu();
        var filled = Tensor.Full([1000], 1.0 + 3.0 / 256, DType.BF16, gpu.Device); // a tie: rounds to 1 + 2^-6
        Assert.All(filled.ToFloatArray(), v => Assert.Equal(1f + 1f / 64, v));
        var source = Tensor.FromSpan(new float[] { 1.5f, -2.25f, 3.0f, 1e-3f, 65504f, -0.0f }, [2, 3], DType.BF16, gpu.Device);
        var transposed = source.Transpose(0, 1).Contiguous();
        Assert.Equal(DType.BF16, transposed.DType);
        var expected = new[] { 1.5f, -2.25f, 3.0f, 1e-3f, 65504f, -0.0f }.Select(BFloat16.Round).ToArray();
        Assert.Equal(new[] { expected[0], expected[3], expected[1], expected[4], expected[2], expected[5] }, transposed.ToFloatArray());
        Assert.Equal(expected, source.To(Device.Cpu).ToFloatArray());
        Assert.Equal(expected, Tensor.FromSpan(expected, [6], DType.BF16, Device.Cpu).To(gpu.Device).ToFloatArray());
    }

    [SkippableFact]
    public void Bf16ParityCasesMatchTheCpu()
    {
        var gpu = GpuParityTests.RequireGpu();
        var suite = new CudaParitySuite(gpu);
        var results = suite.Run(filter: "bf16");
        Assert.True(results.Count >= 11, $"only {results.Count} bf16 parity cases ran: {string.Join(", ", results.Select(r => r.Name))}");
        var failed = results.Where(r => !r.Passed).Select(r => $"{r.Name}: error {r.Error:E2} > {r.Tolerance:E0} {r.Failure}").ToArray();
        Assert.True(failed.Length == 0, string.Join("\n", failed));
    }

    [SkippableFact]
    public void KernelsWithoutBf16AreRefusedWithTheFix()
    {
        var gpu = GpuParityTests.RequireGpu();
        var a = Ops.Cast(Tensor.Randn([8], new Generator(1), device: gpu.Device), DType.BF16);
        var error = Assert.ThrowsAny<ArgumentException>(() => Ops.Exp(a));
        Assert.Contains("no bfloat16 instantiation", error.Message);
    }

    [SkippableFact]
    public void MixedPrecisionLinearOnTheDeviceMatchesTheCpu()
    {
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.Randn([33, 70], new Generator(41));
        var w = Tensor.Randn([19, 70], new Generator(42));
        var b = Tensor.Randn([19], new Generator(43));
        float[] cpu, device;
        using (MixedPrecision.Bf16())
        {
            cpu = Ops.Linear(x, w, b).ToFloatArray();
            device = Ops.Linear(x.To(gpu.Device), w.To(gpu.Device), b.To(gpu.Device)).ToFloatArray();
        }
        var fp32 = Ops.Linear(x, w, b).ToFloatArray();
        var scale = cpu.Max(Math.Abs);
        Assert.True(cpu.Zip(device).Max(p => Math.Abs(p.First - p.Second)) <= OpTolerance.Bf16 * scale, "device bf16 Linear differs from the CPU's");
        // and it is a bf16 product: it differs from the float32 one by about the bf16 rounding, not by nothing
        var difference = cpu.Zip(fp32).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(difference > 1e-4 * scale && difference < 3e-2 * scale, $"bf16 vs float32 Linear differ by {difference / scale:E2} of the largest output");
    }
}
