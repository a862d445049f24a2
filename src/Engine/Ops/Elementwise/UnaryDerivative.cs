namespace NativeTrustRegion.Engine;

/// <summary>
/// f'(x) of each <see cref="UnaryOp"/> written with recorded ops, for create-graph backward passes (second-order
/// gradients): g·f'(x) is then differentiable in x as well as in g. Piecewise-linear ops (Abs, Relu) give a constant
/// mask, whose derivative is zero away from the kink.
/// </summary>
public static partial class Ops
{
    /// <summary>f'(x) given x and y = f(x) (both recorded), as a tensor of x's shape.</summary>
    internal static Tensor UnaryDerivative(UnaryOp op, Tensor x, Tensor y)
    {
        switch (op)
        {
            case UnaryOp.Exp:
                return y;
            case UnaryOp.Log:
                return Reciprocal(x);
            case UnaryOp.Sqrt:
                return Scale(Reciprocal(y), 0.5);
            case UnaryOp.Square:
                return Scale(x, 2);
            case UnaryOp.Reciprocal:
                return Scale(Square(y), -1);
            case UnaryOp.Abs:
            case UnaryOp.Relu:
            {
                var mask = Tensor.EmptyLike(x);
                x.Backend.UnaryBackward(op, x.Detach(), y.Detach(), Tensor.Full(x.Shape, 1.0, x.DType, x.Device), mask, accumulate: false);
                return mask;
            }
            case UnaryOp.Sigmoid:
                return Mul(y, Affine(y, -1, 1));
            case UnaryOp.Tanh:
                return Affine(Square(y), -1, 1);
            case UnaryOp.SiLU:
            {
                // σ(x)·(1 + x·(1 − σ(x)))
                var s = Sigmoid(x);
                return Mul(s, Affine(Mul(x, Affine(s, -1, 1)), 1, 1));
            }
            case UnaryOp.Mish:
            {
                // y = x·tanh(softplus(x)); with q = σ(−x) = 1/(1 + eˣ): tanh(softplus(x)) = (1 − q²)/(1 + q²) (stable for all x),
                // f'(x) = t + x·(1 − t²)·σ(x), σ(x) = 1 − q
                var q = Sigmoid(Scale(x, -1));
                var q2 = Square(q);
                var t = Div(Affine(q2, -1, 1), Affine(q2, 1, 1));
                return Add(t, Mul(Mul(x, Affine(Square(t), -1, 1)), Affine(q, -1, 1)));
            }
            default:
                throw new Autograd.SecondOrderNotSupportedException(op.ToString());
        }
    }
}
