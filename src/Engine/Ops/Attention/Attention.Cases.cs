namespace NativeTrustRegion.Engine;

/// <summary>Softmax and scaled dot-product attention, at generic shapes and at the paper models' head layouts.</summary>
internal sealed class AttentionCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Attention/Softmax", "softmax [32,100]", t => Ops.Softmax(t[0]), new([32, 100], 98, 3)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Attention/Softmax", "softmax [3,2,6]", t => Ops.Softmax(t[0]), new([3, 2, 6], 1500, 2));
        yield return OpCase.Autograd("Attention/Softmax", "softmax [4,1] (one element per row)", t => Ops.Softmax(t[0]), new([4, 1], 1501));

        (int B, int H, int N, int M, int D)[] shapes = [(2, 4, 64, 64, 8), (2, 2, 50, 50, 32), (1, 2, 17, 33, 64), (1, 1, 40, 40, 128), (2, 3, 31, 31, 20), (2, 32, 64, 64, 8)];
        foreach (var s in shapes)
        {
            yield return Attention($"attention B{s.B} H{s.H} N{s.N} M{s.M} d{s.D}", s.B, s.H, s.N, s.M, s.D, 100) with { Checks = OpChecks.Parity };
        }
        // image-paper (ModelPresets): 32 heads of 8 at 8x8 and 4x4; policy-paper: 8 heads of 64 (512 channels, 4 positions) and of 128 (1024 channels, 2 positions)
        (string Model, int B, int H, int N, int D)[] paper = [("image-paper 8x8", 2, 32, 64, 8), ("image-paper mid 4x4", 4, 32, 16, 8), ("policy-paper 512", 4, 8, 4, 64), ("policy-paper 1024", 4, 8, 2, 128)];
        foreach (var a in paper)
        {
            yield return Attention($"attention {a.Model} B{a.B} H{a.H} N{a.N} d{a.D}", a.B, a.H, a.N, a.N, a.D, 176) with { Checks = OpChecks.Parity };
        }
        // bf16 q, k, v (the bf16 UNets' attention): float32 scores, softmax, log-sum-exp and accumulation on both
        // devices, each output rounded to bf16 once; image-paper's and policy-paper's head widths
        (int B, int H, int N, int M, int D)[] bf16Shapes = [(2, 4, 64, 64, 8), (1, 2, 17, 33, 64), (2, 3, 31, 31, 20), (2, 2, 4, 4, 128)];
        foreach (var s in bf16Shapes)
        {
            yield return OpCase.Autograd("Attention/Attention", $"attention bf16 B{s.B} H{s.H} N{s.N} M{s.M} d{s.D}",
                t => Ops.Cast(Ops.ScaledDotProductAttention(Ops.Cast(t[0], DType.BF16), Ops.Cast(t[1], DType.BF16), Ops.Cast(t[2], DType.BF16)), DType.F32),
                new([s.B, s.H, s.N, s.D], 1630), new([s.B, s.H, s.M, s.D], 1631), new([s.B, s.H, s.M, s.D], 1632)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        }
        // the benchmark: image-paper's 8x8 attention at training batch 128, and the softmax over its scores
        yield return Attention("attention image-paper 8x8 B128 H32 N64 d8", 128, 32, 64, 64, 8, 180) with { Checks = OpChecks.Benchmark, Flops = 4.0 * 128 * 32 * 64 * 64 * 8 };
        yield return OpCase.Autograd("Attention/Softmax", "softmax image-paper 8x8 attention scores [128,32,64,64]", t => Ops.Softmax(t[0]), new([128, 32, 64, 64], 183, 3))
            with { Checks = OpChecks.Benchmark };
        // small shapes for the gradient check
        yield return Attention("attention B2 H1 N3 M3 d4", 2, 1, 3, 3, 4, 1510) with { GradientRtol = 1e-4 };
        yield return Attention("attention B1 H2 N1 M1 d2", 1, 2, 1, 1, 2, 1520) with { GradientRtol = 1e-4 };
        yield return Attention("attention B1 H2 N4 M2 d3", 1, 2, 4, 2, 3, 1530) with { GradientRtol = 1e-4 };
        // token counts and head sizes that are not whole SIMD vectors (8 floats, 4 doubles), queries fewer and more than keys
        yield return Attention("attention B1 H2 N5 M11 d9", 1, 2, 5, 11, 9, 1540) with { GradientRtol = 1e-4 };
        yield return Attention("attention B1 H1 N9 M6 d17", 1, 1, 9, 6, 17, 1550) with { GradientRtol = 1e-4 };

        // multi-head attention on token-major [B, N, heads·d] tensors (the fused CPU kernel; a composition on the GPU):
        // the image models' 8x8 and 4x4 self-attention, the policy's, key counts that are not whole 512-bit vectors
        // (16 floats, 8 doubles), fewer and more keys than queries
        (string Model, int B, int N, int M, int Heads, int D)[] tokenMajor =
            [("image 8x8", 2, 64, 64, 8, 8), ("image 4x4", 3, 16, 16, 4, 8), ("policy-paper 512", 2, 4, 4, 8, 64), ("uneven", 2, 21, 37, 3, 5)];
        foreach (var a in tokenMajor)
        {
            yield return MultiHead($"multi-head attention {a.Model} B{a.B} N{a.N} M{a.M} heads{a.Heads} d{a.D}", a.B, a.N, a.M, a.Heads, a.D, 1560) with { Checks = OpChecks.Parity };
        }
        yield return MultiHead("multi-head attention image-tiny 8x8 B32 N64 heads8 d8", 32, 64, 64, 8, 8, 1570) with { Checks = OpChecks.Benchmark, Flops = 4.0 * 32 * 8 * 64 * 64 * 8 };
        yield return MultiHead("multi-head attention B2 N3 M3 heads2 d4", 2, 3, 3, 2, 4, 1580) with { GradientRtol = 1e-4 };
        yield return MultiHead("multi-head attention B1 N1 M1 heads2 d2", 1, 1, 1, 2, 2, 1590) with { GradientRtol = 1e-4 };
        yield return MultiHead("multi-head attention B1 N5 M11 heads3 d3", 1, 5, 11, 3, 3, 1600) with { GradientRtol = 1e-4 };
        yield return MultiHead("multi-head attention B2 N10 M9 heads1 d9", 2, 10, 9, 1, 9, 1610) with { GradientRtol = 1e-4 };
        // at least CpuBackend.GemmBackwardMinScores (1,024) scores per head: the backward pass by GEMMs
        yield return MultiHead("multi-head attention B1 N32 M32 heads1 d2", 1, 32, 32, 1, 2, 1612) with { GradientRtol = 1e-4 };
        yield return MultiHead("multi-head attention B1 N40 M26 heads2 d1", 1, 40, 26, 2, 1, 1616) with { GradientRtol = 1e-4 };
    }

    private static OpCase MultiHead(string name, int b, int n, int m, int heads, int d, ulong seed) =>
        OpCase.Autograd("Attention/MultiHeadAttention", name, t => Ops.MultiHeadAttention(t[0], t[1], t[2], heads),
            new([b, n, heads * d], seed), new([b, m, heads * d], seed + 1), new([b, m, heads * d], seed + 2)) with { Tolerance = 1e-4 };

    private static OpCase Attention(string name, int b, int h, int n, int m, int d, ulong seed) =>
        OpCase.Autograd("Attention/Attention", name, t => Ops.ScaledDotProductAttention(t[0], t[1], t[2]),
            new([b, h, n, d], seed), new([b, h, m, d], seed + 1), new([b, h, m, d], seed + 2)) with { Tolerance = 1e-4 };
}
