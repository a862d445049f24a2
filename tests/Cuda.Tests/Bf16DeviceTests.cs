using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// bf16 on the CUDA back end (the emulated device in CI): the cast kernels give the CPU's bits on every bf16 pattern,
/// bf16 fills, copies and host transfers, and the parity cases of bf16 casts, GEMMs (cublasGemmEx with CUDA_R_16BF and
/// COMPUTE_32F), convolutions (cuDNN BFLOAT16 tensors, FLOAT compute) and GroupNorm(+FiLM+SiLU) with bf16 activations
/// against the CPU.
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
        Assert.True(results.Count >= 20, $"only {results.Count} bf16 parity cases ran: {string.Join(", ", results.Select(r => r.Name))}");
        var failed = results.Where(r => !r.Passed).Select(r => $"{r.Name}: error {r.Error:E2} > {r.Tolerance:E0} {r.Failure}").ToArray();
        Assert.True(failed.Length == 0, string.Join("\n", failed));
        if (CudaTestDevice.Emulated)
        {
            // The emulated device's stand-ins sum in float32 like the CPU, only in another order, so their bf16 results
            // agree far closer than OpTolerance.Bf16 (measured: at most 2.9e-7); 1e-5 is below the ~1e-3 by which a
            // float32 product differs from a bf16 one, so a device that skipped the bf16 rounding would fail here.
            // GroupNorm, LayerNorm and attention with bf16 activations are excluded: their outputs and input gradients
            // are bf16 tensors (rounded by construction), and the kernels' block sums (statistics; attention's online
            // softmax over key tiles) and the CPU's SIMD/GEMM sums differ in order, so a few outputs near a rounding
            // midpoint land one bf16 ulp apart (measured up to 5.2e-4 of the largest output for GroupNorm, 6.8e-4 for
            // LayerNorm, 8.3e-4 for attention; all within OpTolerance.Bf16 above).
            string[] roundedByConstruction = ["groupnorm", "layernorm", "attention"];
            var loose = results.Where(r => !roundedByConstruction.Any(p => r.Name.StartsWith(p, StringComparison.Ordinal)) && r.Error > 1e-5)
                .Select(r => $"{r.Name}: error {r.Error:E2} > 1e-5 on the emulated device").ToArray();
            Assert.True(loose.Length == 0, string.Join("\n", loose));
        }
    }

    [SkippableFact]
    public void DeviceBf16ProductUsesTheRoundedInputs()
    {
        var gpu = GpuParityTests.RequireGpu();
        // bf16(1 + 0.75·2^-7) = 1 + 2^-7, so [a0, -1]·[1, 1] is exactly 2^-7 in bf16 and 0.75·2^-7 in float32
        var a = Tensor.FromSpan(new[] { 1f + 0.75f / 128, -1f }, [1, 2], DType.F32, gpu.Device);
        var b = Tensor.FromSpan(new[] { 1f, 1f }, [2, 1], DType.F32, gpu.Device);
        using (MixedPrecision.Bf16())
        {
            Assert.Equal(1.0 / 128, Ops.MatMul(a, b).Item());
            Assert.Equal(1.0 / 128, Ops.Conv2d(a.Reshape(1, 2, 1, 1), b.Reshape(1, 2, 1, 1), null).Item());
        }
        Assert.Equal((double)(1f + 0.75f / 128 - 1f), Ops.MatMul(a, b).Item());
    }

    [SkippableFact]
    public void KernelsWithoutBf16AreRefusedWithTheFix()
    {
        var gpu = GpuParityTests.RequireGpu();
        var a = Ops.Cast(Tensor.Randn([8], new Generator(1), device: gpu.Device), DType.BF16);
        var error = Assert.ThrowsAny<ArgumentException>(() => Ops.Scale(a, 2));
        Assert.Contains("no bfloat16 instantiation", error.Message);
        // kernels built for f32 and f64 only whose launch would otherwise pick the f64 one for a bf16 buffer
        var image = Ops.Cast(Tensor.Randn([1, 2, 4, 4], new Generator(2), device: gpu.Device), DType.BF16);
        foreach (var (name, call) in new (string, Func<Tensor>)[]
        {
            ("elementwise.clamp", () => Ops.Clamp(image, 0, 1)),
        })
        {
            var e = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Contains("no bfloat16 instantiation", e.Message);
            Assert.Contains(name, e.Message);
        }
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
        var tolerance = CudaTestDevice.Emulated ? 1e-5 : OpTolerance.Bf16; // see Bf16ParityCasesMatchTheCpu
        var vsCpu = cpu.Zip(device).Max(p => Math.Abs(p.First - p.Second)) / scale;
        Assert.True(vsCpu <= tolerance, $"device bf16 Linear differs from the CPU's by {vsCpu:E2} of the largest output (> {tolerance:E0})");
        // and it is a bf16 product: it differs from the float32 one by about the bf16 rounding, not by nothing
        var difference = device.Zip(fp32).Max(p => Math.Abs(p.First - p.Second)) / scale;
        Assert.True(difference > 1e-4 && difference < 3e-2, $"device bf16 vs CPU float32 Linear differ by {difference:E2} of the largest output");
    }
}
