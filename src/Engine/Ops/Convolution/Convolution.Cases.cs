namespace NativeTrustRegion.Engine;

/// <summary>2-D convolutions (square and 1x7/7x1 kernels, strides, padding), 1-D convolution and transposed 1-D convolution.</summary>
internal sealed class ConvolutionCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        const string kernel = "Convolution/Conv2d";
        foreach (var tf32 in new[] { false, true })
        {
            var label = tf32 ? "TF32" : "FP32";
            yield return OpCase.Autograd(kernel, $"conv2d 3x3 pad 1 [8,16,16,16]→32 {label}", t => Ops.Conv2d(t[0], t[1], t[2], 1, 1),
                new([8, 16, 16, 16], 57), new([32, 16, 3, 3], 58, 0.1), new([32], 59)) with
            {
                Checks = OpChecks.Parity,
                Tolerance = tf32 ? OpTolerance.Tf32 : OpTolerance.Float32,
                Precision = tf32 ? MatmulPrecision.Tf32 : MatmulPrecision.Fp32,
                UsesVendorLibrary = true,
            };
        }
        // bf16 under MixedPrecision.Bf16: bf16 input and weight, float32 accumulation, bf16 output cast back, float32 bias
        var bf16 = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16, UsesVendorLibrary = true };
        Func<Tensor[], Tensor> Mixed(Func<Tensor[], Tensor> f) => t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return f(t);
        };
        yield return bf16(OpCase.Autograd(kernel, "conv2d 3x3 pad 1 [8,16,16,16]→32 bf16 (mixed precision)", Mixed(t => Ops.Conv2d(t[0], t[1], t[2], 1, 1)),
            new([8, 16, 16, 16], 1510), new([32, 16, 3, 3], 1511, 0.1), new([32], 1512)));
        yield return bf16(OpCase.Autograd(kernel, "conv2d 3x3 stride 2 [4,8,15,15]→16 bf16 (explicit casts, no bias)",
            t => Ops.Cast(Ops.Conv2d(Ops.Cast(t[0], DType.BF16), Ops.Cast(t[1], DType.BF16), null, 2, 1), DType.F32), new([4, 8, 15, 15], 1513), new([16, 8, 3, 3], 1514, 0.2)));
        yield return bf16(OpCase.Autograd(kernel, "conv1d k5 pad 2 [4,16,16]→32 bf16 (mixed precision)", Mixed(t => Ops.Conv1d(t[0], t[1], t[2], 1, 2)),
            new([4, 16, 16], 1515), new([32, 16, 5], 1516, 0.2), new([32], 1517)));
        yield return bf16(OpCase.Autograd(kernel, "conv-transpose1d k4 s2 p1 [4,16,8]→8 bf16 (mixed precision)", Mixed(t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1)),
            new([4, 16, 8], 1518), new([16, 8, 4], 1519, 0.2), new([8], 1520)));
        // bf16 activations in and out (a model's bf16 stream under the scope): the float32 bias is rounded to bf16 and
        // added to the bf16 product, its gradient summed in float32 from the bf16 output gradient
        yield return bf16(OpCase.Autograd(kernel, "conv2d 3x3 pad 1 bf16 in and out, float32 bias [4,16,8,8]→16 (mixed precision)",
            Mixed(t => Ops.Cast(Ops.Conv2d(Ops.Cast(t[0], DType.BF16), t[1], t[2], 1, 1), DType.F32)), new([4, 16, 8, 8], 1600), new([16, 16, 3, 3], 1601, 0.1), new([16], 1602)));
        yield return bf16(OpCase.Autograd(kernel, "conv2d 3x3 stride 2 bf16 in and out, float32 bias [2,8,9,9]→8 (mixed precision)",
            Mixed(t => Ops.Cast(Ops.Conv2d(Ops.Cast(t[0], DType.BF16), t[1], t[2], 2, 1), DType.F32)), new([2, 8, 9, 9], 1603), new([8, 8, 3, 3], 1604, 0.2), new([8], 1605)));
        yield return bf16(OpCase.Autograd(kernel, "conv1d k5 pad 2 bf16 in and out, float32 bias [4,16,8]→32 (mixed precision)",
            Mixed(t => Ops.Cast(Ops.Conv1d(Ops.Cast(t[0], DType.BF16), t[1], t[2], 1, 2), DType.F32)), new([4, 16, 8], 1606), new([32, 16, 5], 1607, 0.2), new([32], 1608)));
        yield return bf16(OpCase.Autograd(kernel, "conv-transpose1d k4 s2 p1 bf16 in and out, float32 bias [4,16,4]→16 (mixed precision)",
            Mixed(t => Ops.Cast(Ops.ConvTranspose1d(Ops.Cast(t[0], DType.BF16), t[1], t[2], 2, 1), DType.F32)), new([4, 16, 4], 1609), new([16, 16, 4], 1610, 0.2), new([16], 1611)));
        var large = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Tf32, UsesVendorLibrary = true };
        yield return large(OpCase.Autograd(kernel, "conv2d 3x3 stride 2 [4,8,15,15]→16", t => Ops.Conv2d(t[0], t[1], t[2], 2, 1), new([4, 8, 15, 15], 60), new([16, 8, 3, 3], 61, 0.2), new([16], 62)));
        yield return large(OpCase.Autograd(kernel, "conv2d 1x1 [4,32,8,8]→16", t => Ops.Conv2d(t[0], t[1], null), new([4, 32, 8, 8], 63), new([16, 32, 1, 1], 64, 0.2)));
        yield return large(OpCase.Autograd(kernel, "conv2d 1x7 pad (0,3) [2,16,9,9]→24", t => Ops.Conv2d(t[0], t[1], t[2], (1, 1), (0, 3)), new([2, 16, 9, 9], 71), new([24, 16, 1, 7], 72, 0.2), new([24], 73)));
        yield return large(OpCase.Autograd(kernel, "conv2d 7x1 pad (3,0) [2,16,9,9]→24", t => Ops.Conv2d(t[0], t[1], t[2], (1, 1), (3, 0)), new([2, 16, 9, 9], 74), new([24, 16, 7, 1], 75, 0.2), new([24], 76)));
        yield return large(OpCase.Autograd(kernel, "conv1d k5 pad 2 [4,16,16]→32", t => Ops.Conv1d(t[0], t[1], t[2], 1, 2), new([4, 16, 16], 65), new([32, 16, 5], 66, 0.2), new([32], 67)));
        yield return large(OpCase.Autograd(kernel, "conv-transpose1d k4 s2 p1 [4,16,8]→8", t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1), new([4, 16, 8], 68), new([16, 8, 4], 69, 0.2), new([8], 70)));

        // small shapes for the gradient check (parity at the back end's own precision, hence the TF32 tolerance)
        // the benchmark: image-paper's 3x3 convolution at 16x16 (256 channels) and policy-paper's k5 convolution at 512 channels, at training batch size
        yield return OpCase.Autograd(kernel, "conv2d 3x3 image-paper [128,256,16,16]→256", t => Ops.Conv2d(t[0], t[1], t[2], 1, 1),
            new([128, 256, 16, 16], 77), new([256, 256, 3, 3], 78, 0.02), new([256], 79)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 128 * 256 * 16 * 16 * 256 * 9,
        };
        yield return OpCase.Autograd(kernel, "conv2d bf16 (mixed precision) 3x3 image-paper [128,256,16,16]→256", t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return Ops.Conv2d(t[0], t[1], t[2], 1, 1);
        }, new([128, 256, 16, 16], 83), new([256, 256, 3, 3], 84, 0.02), new([256], 85)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 128 * 256 * 16 * 16 * 256 * 9,
        };
        yield return OpCase.Autograd(kernel, "conv1d k5 policy-paper [256,512,8]→512", t => Ops.Conv1d(t[0], t[1], t[2], 1, 2),
            new([256, 512, 8], 80), new([512, 512, 5], 81, 0.02), new([512], 82)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 256 * 512 * 8 * 512 * 5,
        };
        var small = (OpCase c) => c with { Tolerance = OpTolerance.Tf32, UsesVendorLibrary = true };
        (int K, int Stride, int Pad)[] conv2d = [(1, 1, 0), (3, 1, 1), (3, 2, 1), (3, 1, 0), (1, 2, 0)];
        foreach (var (k, s, p) in conv2d)
        {
            yield return small(OpCase.Autograd(kernel, $"conv2d {k}x{k} s{s} p{p} [2,2,5,6]→3", t => Ops.Conv2d(t[0], t[1], t[2], s, p),
                new([2, 2, 5, 6], 1050 + (ulong)(k * 10 + s * 3 + p)), new([3, 2, k, k], 1100 + (ulong)(k * 10 + s * 3 + p), 0.5), new([3], 1150 + (ulong)(k * 10 + s * 3 + p))));
        }
        // 3x3 stride 1 with ≥ 8 channels in and out and outputs under 8x8: the CPU's Winograd F(2x2, 3x3) path (odd sizes leave ragged tiles)
        (int Pad, int H, int W, int N)[] winograd = [(1, 5, 6, 2), (0, 6, 5, 1), (2, 3, 4, 3)];
        foreach (var (p, h, w, n) in winograd)
        {
            yield return small(OpCase.Autograd("Convolution/Conv2dWinograd", $"conv2d 3x3 s1 p{p} [{n},8,{h},{w}]→9 (Winograd on the CPU)", t => Ops.Conv2d(t[0], t[1], t[2], 1, p),
                new([n, 8, h, w], 1400 + (ulong)p), new([9, 8, 3, 3], 1410 + (ulong)p, 0.3), new([9], 1420 + (ulong)p)));
        }
        // the benchmark of that path: image-small-28's 128-channel 3x3 convolution at 7x7, at batch 32
        yield return OpCase.Autograd("Convolution/Conv2dWinograd", "conv2d 3x3 image-small-28 [32,128,7,7]→128 (Winograd F(2x2, 3x3) on the CPU)", t => Ops.Conv2d(t[0], t[1], t[2], 1, 1),
            new([32, 128, 7, 7], 1433), new([128, 128, 3, 3], 1434, 0.03), new([128], 1435)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 32 * 128 * 7 * 7 * 128 * 9,
        };
        // outputs of 8x8 and more: Winograd F(4x4, 3x3) on CPUs with 512-bit vectors (paddings 0-2, ragged last tiles, odd sizes)
        (int Pad, int H, int W, int N)[] winograd4 = [(1, 8, 8, 1), (1, 9, 9, 1), (0, 10, 10, 1), (2, 6, 7, 1)];
        foreach (var (p, h, w, n) in winograd4)
        {
            yield return small(OpCase.Autograd("Convolution/Conv2dWinograd4", $"conv2d 3x3 s1 p{p} [{n},8,{h},{w}]→8 (Winograd F(4x4, 3x3) on the CPU)", t => Ops.Conv2d(t[0], t[1], t[2], 1, p),
                new([n, 8, h, w], 1600 + (ulong)(p * 20 + h)), new([8, 8, 3, 3], 1650 + (ulong)(p * 20 + h), 0.3), new([8], 1700 + (ulong)(p * 20 + h))));
        }
        // the benchmark of that path: image-tiny's 64-channel 3x3 convolution at 16x16, at its training batch size
        yield return OpCase.Autograd("Convolution/Conv2dWinograd4", "conv2d 3x3 image-tiny [32,64,16,16]→64 (Winograd F(4x4, 3x3) on the CPU)", t => Ops.Conv2d(t[0], t[1], t[2], 1, 1),
            new([32, 64, 16, 16], 1430), new([64, 64, 3, 3], 1431, 0.05), new([64], 1432)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 32 * 64 * 16 * 16 * 64 * 9,
        };
        yield return small(OpCase.Autograd(kernel, "conv2d 3x3 p1 [1,1,3,4]→2 (one sample, one channel)", t => Ops.Conv2d(t[0], t[1], t[2], 1, 1), new([1, 1, 3, 4], 1200), new([2, 1, 3, 3], 1201, 0.5), new([2], 1202)));
        (int K, int Stride, int Pad)[] conv1d = [(3, 1, 1), (5, 1, 2), (3, 2, 1), (5, 2, 2)];
        foreach (var (k, s, p) in conv1d)
        {
            yield return small(OpCase.Autograd(kernel, $"conv1d k{k} s{s} p{p} [2,2,7]→3", t => Ops.Conv1d(t[0], t[1], t[2], s, p),
                new([2, 2, 7], 1210 + (ulong)(k * 10 + s)), new([3, 2, k], 1260 + (ulong)(k * 10 + s), 0.5), new([3], 1310 + (ulong)(k * 10 + s))));
        }
        yield return small(OpCase.Autograd(kernel, "conv-transpose1d k4 s2 p1 [2,3,5]→2", t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1), new([2, 3, 5], 1360), new([3, 2, 4], 1361, 0.5), new([2], 1362)));
        yield return small(OpCase.Autograd(kernel, "conv-transpose1d k4 s2 p1 [1,2,1]→3 (length 1)", t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1), new([1, 2, 1], 1363), new([2, 3, 4], 1364, 0.5), new([3], 1365)));
    }
}
