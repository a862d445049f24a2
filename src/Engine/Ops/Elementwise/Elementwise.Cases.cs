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
