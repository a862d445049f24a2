namespace NativeTrustRegion.Engine;

/// <summary>GroupNorm (affine or not, image and 1-D layouts, groups larger than the GPU's shared-memory cache), fused GroupNorm+FiLM+SiLU, LayerNorm.</summary>
internal sealed class NormalizationCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        var parity = (OpCase c) => c with { Checks = OpChecks.Parity };
        yield return parity(OpCase.Autograd("Normalization/GroupNorm", "groupnorm [4,32,8,8] g8 affine", t => Ops.GroupNorm(t[0], 8, t[1], t[2]),
            new([4, 32, 8, 8], 80, 2, 0.5), new([32], 81, 1, 1), new([32], 82)));
        yield return parity(OpCase.Autograd("Normalization/GroupNorm", "groupnorm [2,16,10] g4 no affine", t => Ops.GroupNorm(t[0], 4, null, null), new([2, 16, 10], 83)));
        yield return parity(OpCase.Autograd("Normalization/GroupNorm", "groupnorm [2,64,32,32] g32 (group > 48 KB cache)", t => Ops.GroupNorm(t[0], 2, t[1], t[2]),
            new([2, 64, 32, 32], 84), new([64], 85, 1, 1), new([64], 86)));
        yield return parity(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+silu [4,32,8,8]", t => Ops.GroupNormSiLU(t[0], 8, t[1], t[2]),
            new([4, 32, 8, 8], 87), new([32], 88, 1, 1), new([32], 89)));
        yield return parity(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+film+silu [4,32,8,8]", t => Ops.GroupNormSiLU(t[0], 8, t[1], t[2], t[3], t[4]),
            new([4, 32, 8, 8], 90), new([32], 91, 1, 1), new([32], 92), new([4, 32], 93, 0.5, 1), new([4, 32], 94)));
        yield return parity(OpCase.Autograd("Normalization/LayerNorm", "layernorm [64,96]", t => Ops.LayerNorm(t[0], t[1], t[2]),
            new([64, 96], 95, 2, 0.3), new([96], 96, 1, 1), new([96], 97)));
        // the image-paper model's GroupNorms (ModelPresets): 384 channels at 32x32 in 32 groups, 12,288 floats per group
        yield return parity(OpCase.Autograd("Normalization/GroupNorm", "groupnorm image-paper [1,384,32,32] g32", t => Ops.GroupNorm(t[0], 32, t[1], t[2]),
            new([1, 384, 32, 32], 170, 2, 0.5), new([384], 171, 1, 1), new([384], 172)));
        yield return parity(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+silu image-paper [2,256,16,16] g32", t => Ops.GroupNormSiLU(t[0], 32, t[1], t[2]),
            new([2, 256, 16, 16], 173), new([256], 174, 1, 1), new([256], 175)));

        // bf16 activations (x, y, dy, dx bf16; statistics, gamma, beta, FiLM and their gradients float32): float32 math
        // on both devices, outputs rounded to bf16 once, so they differ only where their float32 sums' orders move a value
        // across a rounding midpoint (one bf16 ulp)
        var bf16 = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        static Tensor Bf16(Tensor t) => Ops.Cast(t, DType.BF16);
        static Tensor F32(Tensor t) => Ops.Cast(t, DType.F32);
        yield return bf16(OpCase.Autograd("Normalization/GroupNorm", "groupnorm bf16 [4,32,8,8] g8 affine", t => F32(Ops.GroupNorm(Bf16(t[0]), 8, t[1], t[2])),
            new([4, 32, 8, 8], 1460, 2, 0.5), new([32], 1461, 1, 1), new([32], 1462)));
        yield return bf16(OpCase.Autograd("Normalization/GroupNorm", "groupnorm bf16 [2,64,32,32] g2 (group > 48 KB cache)", t => F32(Ops.GroupNorm(Bf16(t[0]), 2, t[1], t[2])),
            new([2, 64, 32, 32], 1463), new([64], 1464, 1, 1), new([64], 1465)));
        yield return bf16(OpCase.Autograd("Normalization/GroupNorm", "groupnorm bf16 [2,16,10] g4 no affine", t => F32(Ops.GroupNorm(Bf16(t[0]), 4, null, null)), new([2, 16, 10], 1466)));
        yield return bf16(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+silu bf16 [4,32,8,8]", t => F32(Ops.GroupNormSiLU(Bf16(t[0]), 8, t[1], t[2])),
            new([4, 32, 8, 8], 1467), new([32], 1468, 1, 1), new([32], 1469)));
        yield return bf16(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+film+silu bf16 [4,32,8,8]", t => F32(Ops.GroupNormSiLU(Bf16(t[0]), 8, t[1], t[2], t[3], t[4])),
            new([4, 32, 8, 8], 1470), new([32], 1471, 1, 1), new([32], 1472), new([4, 32], 1473, 0.5, 1), new([4, 32], 1474)));
        yield return bf16(OpCase.Autograd("Normalization/LayerNorm", "layernorm bf16 [6,20,48] affine", t => F32(Ops.LayerNorm(Bf16(t[0]), t[1], t[2])),
            new([6, 20, 48], 1640, 2, 0.5), new([48], 1641, 1, 1), new([48], 1642)));
        yield return bf16(OpCase.Autograd("Normalization/LayerNorm", "layernorm bf16 [7,300] no affine", t => F32(Ops.LayerNorm(Bf16(t[0]), null, null)), new([7, 300], 1643)));

        // the benchmark: image-paper's GroupNorms at training batch 128 (256 channels at 16x16, 128 at 32x32), the fused
        // GroupNorm+FiLM+SiLU, and LayerNorm over policy-paper's 512-wide attention tokens
        var bench = (OpCase c) => c with { Checks = OpChecks.Benchmark };
        yield return bench(OpCase.Autograd("Normalization/GroupNorm", "groupnorm image-paper [128,256,16,16] g32", t => Ops.GroupNorm(t[0], 32, t[1], t[2]),
            new([128, 256, 16, 16], 193), new([256], 194, 1, 1), new([256], 195)));
        yield return bench(OpCase.Autograd("Normalization/GroupNorm", "groupnorm image-paper [128,128,32,32] g32", t => Ops.GroupNorm(t[0], 32, t[1], t[2]),
            new([128, 128, 32, 32], 196), new([128], 197, 1, 1), new([128], 198)));
        yield return bench(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+film+silu image-paper [128,256,16,16] g32", t => Ops.GroupNormSiLU(t[0], 32, t[1], t[2], t[3], t[4]),
            new([128, 256, 16, 16], 199), new([256], 200, 1, 1), new([256], 201), new([128, 256], 202, 0.5, 1), new([128, 256], 203)));
        yield return bench(OpCase.Autograd("Normalization/LayerNorm", "layernorm policy-paper tokens [1024,512]", t => Ops.LayerNorm(t[0], t[1], t[2]),
            new([1024, 512], 204), new([512], 205, 1, 1), new([512], 206)));

        // small shapes for the gradient check
        var small = (OpCase c) => c with { GradientRtol = 1e-4 };
        (int[] Shape, int Groups)[] shapes = [([2, 4, 3, 2], 2), ([1, 3, 2, 3], 1), ([3, 6, 1, 2], 3), ([2, 4, 5], 2)];
        for (var i = 0; i < shapes.Length; i++)
        {
            var (shape, groups) = shapes[i];
            var c = shape[1];
            var label = $"[{string.Join(",", shape)}] g{groups}";
            yield return small(OpCase.Autograd("Normalization/GroupNorm", $"groupnorm {label} affine", t => Ops.GroupNorm(t[0], groups, t[1], t[2]),
                new(shape, 1400 + (ulong)i, 2, 0.5), new([c], 1410 + (ulong)i, 1, 1), new([c], 1420 + (ulong)i)));
            yield return small(OpCase.Autograd("Normalization/GroupNorm", $"groupnorm {label} no affine", t => Ops.GroupNorm(t[0], groups, null, null), new(shape, 1430 + (ulong)i, 2, 0.5)));
        }
        yield return small(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+silu [2,4,3,2] g2", t => Ops.GroupNormSiLU(t[0], 2, t[1], t[2]),
            new([2, 4, 3, 2], 1440), new([4], 1441, 1, 1), new([4], 1442)));
        yield return small(OpCase.Autograd("Normalization/GroupNormSiLU", "groupnorm+film+silu [2,4,3,2] g2", t => Ops.GroupNormSiLU(t[0], 2, t[1], t[2], t[3], t[4]),
            new([2, 4, 3, 2], 1443), new([4], 1444, 1, 1), new([4], 1445), new([2, 4], 1446, 0.5, 1), new([2, 4], 1447)));
        yield return small(OpCase.Autograd("Normalization/LayerNorm", "layernorm [2,3,7]", t => Ops.LayerNorm(t[0], t[1], t[2]),
            new([2, 3, 7], 1450, 2, 0.3), new([7], 1451, 1, 1), new([7], 1452)));
    }
}
