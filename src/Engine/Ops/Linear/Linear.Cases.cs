namespace NativeTrustRegion.Engine;

/// <summary>Matrix products (plain, batched, broadcast, transposed views) and linear layers, in FP32 and TF32 on the GPU; all run on GEMM.</summary>
internal sealed class LinearCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        foreach (var tf32 in new[] { false, true })
        {
            var label = tf32 ? "TF32" : "FP32";
            var tuned = (OpCase c) => c with
            {
                Checks = OpChecks.Parity,
                Tolerance = tf32 ? OpTolerance.Tf32 : OpTolerance.Float32,
                Precision = tf32 ? MatmulPrecision.Tf32 : MatmulPrecision.Fp32,
                UsesVendorLibrary = true,
            };
            yield return tuned(OpCase.Autograd("Linear/Gemm", $"matmul [96,160]·[160,80] {label}", t => Ops.MatMul(t[0], t[1]), new([96, 160], 50), new([160, 80], 51)));
            yield return tuned(OpCase.Autograd("Linear/Gemm", $"batched matmul with transposed views {label}", t => Ops.MatMul(t[0].Transpose(1, 2), t[1]), new([6, 40, 24], 52), new([6, 40, 56], 53)));
            yield return tuned(OpCase.Autograd("Linear/Gemm", $"linear with bias [8,20,64]→48 {label}", t => Ops.Linear(t[0], t[1], t[2]), new([8, 20, 64], 54), new([48, 64], 55, 0.2), new([48], 56)));
        }

        // bf16: bf16 operands, float32 accumulation, bf16 product (explicit casts, and Linear under MixedPrecision.Bf16 with its float32 bias)
        var bf16 = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16, UsesVendorLibrary = true };
        yield return bf16(OpCase.Autograd("Linear/Gemm", "matmul bf16 [96,160]·[160,80]",
            t => Ops.Cast(Ops.MatMul(Ops.Cast(t[0], DType.BF16), Ops.Cast(t[1], DType.BF16)), DType.F32), new([96, 160], 1500), new([160, 80], 1501)));
        yield return bf16(OpCase.Autograd("Linear/Gemm", "batched matmul bf16 with transposed views (mixed precision)", t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return Ops.MatMul(t[0].Transpose(1, 2), t[1]);
        }, new([6, 40, 24], 1502), new([6, 40, 56], 1503)));
        yield return bf16(OpCase.Autograd("Linear/Gemm", "linear with bias [8,20,64]→48 bf16 (mixed precision)", t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return Ops.Linear(t[0], t[1], t[2]);
        }, new([8, 20, 64], 1504), new([48, 64], 1505, 0.2), new([48], 1506)));
        yield return bf16(OpCase.Autograd("Linear/Gemm", "linear of bf16 activations, bf16 out, float32 bias [8,20,64]→48 (mixed precision)", t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return Ops.Cast(Ops.Linear(Ops.Cast(t[0], DType.BF16), t[1], t[2]), DType.F32);
        }, new([8, 20, 64], 1612), new([48, 64], 1613, 0.2), new([48], 1614)));

        // small shapes for the gradient check (and FP32 parity)
        // the benchmark: image-paper's attention projection at 8x8 (8192 tokens of 256 channels → q, k, v), training batch 128
        yield return OpCase.Autograd("Linear/Gemm", "linear image-paper attention qkv [128,64,256]→768", t => Ops.Linear(t[0], t[1], t[2]),
            new([128, 64, 256], 188), new([768, 256], 189, 0.05), new([768], 190)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 128 * 64 * 256 * 768,
        };
        yield return OpCase.Autograd("Linear/Gemm", "linear bf16 (mixed precision) image-paper attention qkv [128,64,256]→768", t =>
        {
            using var mixed = Autograd.MixedPrecision.Bf16();
            return Ops.Linear(t[0], t[1], t[2]);
        }, new([128, 64, 256], 191), new([768, 256], 192, 0.05), new([768], 193)) with
        {
            Checks = OpChecks.Benchmark, UsesVendorLibrary = true, Flops = 2.0 * 128 * 64 * 256 * 768,
        };
        var small = (OpCase c) => c with { Precision = MatmulPrecision.Fp32, UsesVendorLibrary = true };
        yield return small(OpCase.Autograd("Linear/Gemm", "matmul [3,4]·[4,5]", t => Ops.MatMul(t[0], t[1]), new([3, 4], 1030), new([4, 5], 1031)));
        yield return small(OpCase.Autograd("Linear/Gemm", "matmul [3,1]·[1,5] (inner size 1)", t => Ops.MatMul(t[0], t[1]), new([3, 1], 1032), new([1, 5], 1033)));
        yield return small(OpCase.Autograd("Linear/Gemm", "batched matmul [2,3,4]·[2,4,1]", t => Ops.MatMul(t[0], t[1]), new([2, 3, 4], 1034), new([2, 4, 1], 1035)));
        yield return small(OpCase.Autograd("Linear/Gemm", "batched·plain matmul [2,3,4]·[4,5]", t => Ops.MatMul(t[0], t[1]), new([2, 3, 4], 1036), new([4, 5], 1037)));
        yield return small(OpCase.Autograd("Linear/Gemm", "matmul of transposed views [2,4,3]ᵀ·[2,5,4]ᵀ", t => Ops.MatMul(t[0].Transpose(1, 2), t[1].Transpose(1, 2)),
            new([2, 4, 3], 1038), new([2, 5, 4], 1039)));
        yield return small(OpCase.Autograd("Linear/Gemm", "linear with bias [2,3,4]→5", t => Ops.Linear(t[0], t[1], t[2]), new([2, 3, 4], 1040), new([5, 4], 1041), new([5], 1042)));
        yield return small(OpCase.Autograd("Linear/Gemm", "linear without bias [1,3,4]→2", t => Ops.Linear(t[0], t[1]), new([1, 3, 4], 1043), new([2, 4], 1044)));
    }
}
