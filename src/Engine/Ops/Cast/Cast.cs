using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// Converts between dtypes (both contiguous, same shape): float32 ↔ float64 and float32 ↔ bfloat16. Narrowing
    /// rounds to nearest, ties to even (a NaN stays a NaN); widening is exact.
    /// </summary>
    void Cast(Tensor source, Tensor destination);
}

/// <summary>Dtype conversion as a differentiable op: the gradient of a cast is the output's gradient cast back.</summary>
public static partial class Ops
{
    /// <summary>
    /// <paramref name="x"/> converted to <paramref name="dtype"/> (the same tensor when it already has that dtype).
    /// Float32 ↔ float64 and float32 ↔ bfloat16; float64 ↔ bfloat16 goes through float32 (cast twice).
    /// Differentiable: the gradient flows back cast to <paramref name="x"/>'s dtype (straight through the rounding).
    /// </summary>
    public static Tensor Cast(Tensor x, DType dtype)
    {
        const string op = "Cast";
        x.EnsureAlive(op);
        if (x.DType == dtype)
        {
            return x;
        }
        CheckCastable(op, x.DType, dtype);
        var y = Tensor.Empty(x.Shape, dtype, x.Device);
        x.Backend.Cast(x.Contiguous(), y);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new CastNode(x), y) : y;
    }

    /// <summary>Throws unless the back ends convert <paramref name="from"/> to <paramref name="to"/> in one step.</summary>
    internal static void CheckCastable(string op, DType from, DType to)
    {
        if ((from == DType.F64 && to == DType.BF16) || (from == DType.BF16 && to == DType.F64))
        {
            throw new TensorOpException(op, $"no direct conversion {from} → {to}", "cast through float32: Ops.Cast(Ops.Cast(x, DType.F32), target)");
        }
    }

    private sealed class CastNode(Tensor x) : Node(x)
    {
        public override string Name => "Cast";

        public override void Backward(Tensor g, GradSink grads)
        {
            if (!GradSink.Needs(Inputs[0]))
            {
                return;
            }
            var gc = g.Contiguous();
            var dx = grads.Destination(Inputs[0], out var acc);
            if (!acc)
            {
                dx.Backend.Cast(gc, dx);
                return;
            }
            // accumulate in a dtype the elementwise kernels have (bf16 gradients are summed in float32 and rounded once)
            var sumType = dx.DType == DType.BF16 ? DType.F32 : dx.DType;
            var sum = dx.DType == sumType ? dx : Tensor.Empty(dx.Shape, sumType, dx.Device);
            if (!ReferenceEquals(sum, dx))
            {
                dx.Backend.Cast(dx, sum);
            }
            var term = gc.DType == sumType ? gc : Tensor.Empty(dx.Shape, sumType, dx.Device);
            if (!ReferenceEquals(term, gc))
            {
                dx.Backend.Cast(gc, term);
            }
            dx.Backend.Binary(BinaryOp.Add, sum, term, sum);
            if (!ReferenceEquals(sum, dx))
            {
                dx.Backend.Cast(sum, dx);
            }
        }
    }
}
