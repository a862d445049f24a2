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

/// <summary>
/// Dtype conversion as a differentiable op (the gradient of a cast is the output's gradient cast back), and the cast
/// with a bias added in the same buffer that mixed precision uses to return from a bf16 product.
/// </summary>
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

    /// <summary>
    /// Cast(<paramref name="x"/>, <paramref name="dtype"/>) + <paramref name="bias"/> broadcast along <paramref name="axis"/>
    /// (bias [size of that axis], of <paramref name="dtype"/>), in one output buffer: the bias is added in place after the
    /// cast. Mixed precision's way back from a bf16 product to float32 (Linear's last axis, a convolution's channels).
    /// Differentiable: x's gradient is the output's cast back, the bias's the output's summed over the other axes.
    /// </summary>
    public static Tensor CastAddBias(Tensor x, DType dtype, Tensor bias, int axis)
    {
        const string op = "CastAddBias";
        x.EnsureAlive(op);
        bias.EnsureAlive(op);
        axis = Shape.Axis(op, axis, x.Rank);
        if (bias.DType != dtype || bias.Rank != 1 || bias.Shape[0] != x.Shape[axis] || bias.Device != x.Device)
        {
            throw new TensorOpException(op, $"bias {bias.Describe()} does not fit axis {axis} of {x.Describe()} cast to {dtype}",
                $"give a {dtype} bias of {x.Shape[axis]} elements on {x.Device}");
        }
        CheckCastable(op, x.DType, dtype);
        var y = Tensor.Empty(x.Shape, dtype, x.Device);
        if (x.DType == dtype)
        {
            x.Backend.Copy(x, y);
        }
        else
        {
            x.Backend.Cast(x.Contiguous(), y);
        }
        y.Backend.Binary(BinaryOp.Add, y, BiasAlong(bias.Detach(), axis, x.Rank).Expand(y.Shape), y);
        return GradTape.ShouldRecord(x, bias) ? GradTape.Record(new CastAddBiasNode(x, bias, axis), y) : y;
    }

    /// <summary>The bias [n] as a view of rank <paramref name="rank"/> with n along <paramref name="axis"/> and 1 elsewhere.</summary>
    private static Tensor BiasAlong(Tensor bias, int axis, int rank)
    {
        var shape = Enumerable.Repeat(1, rank).ToArray();
        shape[axis] = bias.Shape[0];
        return bias.Reshape(shape);
    }

    private sealed class CastAddBiasNode(Tensor x, Tensor bias, int axis) : Node(x, bias)
    {
        public override string Name => "CastAddBias";

        public override void Backward(Tensor g, GradSink grads)
        {
            var gc = g.Contiguous();
            if (GradSink.Needs(Inputs[0]))
            {
                CastNode.AccumulateCast(gc, grads, Inputs[0]);
            }
            if (GradSink.Needs(Inputs[1]))
            {
                var db = grads.Destination(Inputs[1], out var acc);
                db.Backend.ReduceSum(gc.Detach(), BiasAlong(db, axis, gc.Rank), acc);
            }
        }

        /// <summary>The same gradients as recorded ops: x's is <c>Cast(g)</c>, the bias's <c>Sum(g)</c> over the other axes.</summary>
        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], Cast(g, Inputs[0].DType));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                var others = Enumerable.Range(0, g.Rank).Where(a => a != axis).ToArray();
                grads.Accumulate(Inputs[1], Sum(g, others).Reshape(Inputs[1].Shape));
            }
        }
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
            if (GradSink.Needs(Inputs[0]))
            {
                AccumulateCast(g.Contiguous(), grads, Inputs[0]);
            }
        }

        /// <summary>The gradient as a recorded op: <c>Cast(g)</c> back to the input's dtype (itself differentiable).</summary>
        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], Cast(g, Inputs[0].DType));
            }
        }

        /// <summary>Adds <paramref name="gc"/> cast to <paramref name="input"/>'s dtype to the input's gradient.</summary>
        internal static void AccumulateCast(Tensor gc, GradSink grads, Tensor input)
        {
            var dx = grads.Destination(input, out var acc);
            if (!acc)
            {
                if (gc.DType == dx.DType)
                {
                    dx.Backend.Copy(gc, dx);
                }
                else
                {
                    dx.Backend.Cast(gc, dx);
                }
                return;
            }
            // accumulate in a dtype the elementwise kernels have (bf16 gradients are summed in float32 and rounded once);
            // the widened copies are scratch that lives only for this sum, not until the end of the step's scope
            using var scratch = TensorScope.Begin();
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
