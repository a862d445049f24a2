namespace NativeTrustRegion.Engine;

/// <summary>Binary ops with broadcasting (either operand the broadcast one), unary ops, affine and clamp.</summary>
internal sealed class ElementwiseCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var shift = op == BinaryOp.Div ? 2 : 0;
            yield return OpCase.Autograd("Elementwise/Binary", $"binary {op} broadcast [4,5,6]·[5,1]", t => Ops.Binary(op, t[0], t[1]),
                new([4, 5, 6], 1), new([5, 1], 2, 0.3, shift)) with { Checks = OpChecks.Parity };
            // small shapes for the gradient check: size-1 dims, a dropped leading dim, and the broadcast operand first
            yield return OpCase.Autograd("Elementwise/Binary", $"binary {op} broadcast [3,1,4]·[2,1]", t => Ops.Binary(op, t[0], t[1]),
                new([3, 1, 4], 1001), new([2, 1], 1002, op == BinaryOp.Div ? 0.3 : 1, shift));
            yield return OpCase.Autograd("Elementwise/Binary", $"binary {op} broadcast [1,4]·[3,2,4] (first operand broadcast)", t => Ops.Binary(op, t[0], t[1]),
                new([1, 4], 1003, op == BinaryOp.Div ? 0.3 : 1, shift), new([3, 2, 4], 1004));
        }
        yield return OpCase.Autograd("Elementwise/Binary", "binary Mul contiguous 1M", t => Ops.Mul(t[0], t[1]),
            new([1024, 1024], 3), new([1024, 1024], 4)) with { Checks = OpChecks.Parity };
        // the benchmark: image-paper's residual add and SiLU at 16x16, training batch 128
        yield return OpCase.Autograd("Elementwise/Binary", "add image-paper [128,256,16,16]", t => Ops.Add(t[0], t[1]), new([128, 256, 16, 16], 5), new([128, 256, 16, 16], 6))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Elementwise/Unary", "silu image-paper [128,256,16,16]", t => Ops.SiLU(t[0]), new([128, 256, 16, 16], 7)) with { Checks = OpChecks.Benchmark };
        // bf16 storage with float32 math (the residual add and SiLU between convolutions): each operand widened, each
        // result rounded to bf16 once, on both devices
        var bf16 = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        static Tensor Bf16(Tensor t) => Ops.Cast(t, DType.BF16);
        static Tensor F32(Tensor t) => Ops.Cast(t, DType.F32);
        yield return bf16(OpCase.Autograd("Elementwise/Binary", "add bf16 [4,32,8,8]", t => F32(Ops.Add(Bf16(t[0]), Bf16(t[1]))), new([4, 32, 8, 8], 1480), new([4, 32, 8, 8], 1481)));
        yield return bf16(OpCase.Autograd("Elementwise/Binary", "mul bf16 of a transposed view [24,40]ᵀ·[40,24]",
            t => F32(Ops.Mul(Bf16(t[0]).Transpose(0, 1), Bf16(t[1]))), new([24, 40], 1482), new([40, 24], 1483)));
        yield return bf16(OpCase.Autograd("Elementwise/Unary", "silu bf16 [4,32,8,8]", t => F32(Ops.SiLU(Bf16(t[0]))), new([4, 32, 8, 8], 1484, 3)));
        yield return bf16(OpCase.Autograd("Elementwise/Unary", "residual add of silu bf16 (the gradient accumulates in bf16) [2,16,8,8]",
            t => { var x = Bf16(t[0]); return F32(Ops.Add(Ops.SiLU(x), x)); }, new([2, 16, 8, 8], 1485, 2)));
        // the time embedding's add and the policy net's FiLM: a [B, C, 1, 1] operand broadcast over a bf16 image; its
        // gradient is the bf16 output gradient summed in float32 and rounded once
        yield return bf16(OpCase.Autograd("Elementwise/Binary", "add bf16 broadcast [4,16,8,8] + [4,16,1,1]", t => F32(Ops.Add(Bf16(t[0]), Bf16(t[1]))),
            new([4, 16, 8, 8], 1615), new([4, 16, 1, 1], 1616)));
        yield return bf16(OpCase.Autograd("Elementwise/Binary", "FiLM as bf16 scale·x + shift [4,32,8] with [4,32,1]",
            t => F32(Ops.Add(Ops.Mul(Bf16(t[1]), Bf16(t[0])), Bf16(t[2]))), new([4, 32, 8], 1617), new([4, 32, 1], 1618), new([4, 32, 1], 1619)));
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var positive = op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Reciprocal;
            double[] kinks = op is UnaryOp.Abs or UnaryOp.Relu ? [0] : [];
            yield return OpCase.Autograd("Elementwise/Unary", $"unary {op}", t => Ops.Unary(op, t[0]),
                new([33, 65], 10 + (ulong)op, positive ? 0.2 : 2, positive ? 2 : 0)) with { Checks = OpChecks.Parity, AwayFrom = kinks };
            yield return OpCase.Autograd("Elementwise/Unary", $"unary {op} [4,7]", t => Ops.Unary(op, t[0]),
                new([4, 7], 1010 + (ulong)op, positive ? 0.2 : 2, positive ? 2 : 0)) with { AwayFrom = kinks };
        }
        yield return OpCase.Autograd("Elementwise/Unary", "affine", t => Ops.Affine(t[0], -1.5, 0.25), new([1000], 30)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Elementwise/Unary", "affine [3,5]", t => Ops.Affine(t[0], -1.5, 0.25), new([3, 5], 1030));
        yield return OpCase.Autograd("Elementwise/Unary", "clamp", t => Ops.Clamp(t[0], -0.5, 0.7), new([1000], 31)) with { Checks = OpChecks.Parity, AwayFrom = [-0.5, 0.7] };
        yield return OpCase.Autograd("Elementwise/Unary", "clamp [5,3]", t => Ops.Clamp(t[0], -1, 1), new([5, 3], 1031, 2)) with { AwayFrom = [-1, 1] };
    }
}
