using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public enum UnaryOp
{
    Exp,
    Log,
    Sqrt,
    Square,
    Reciprocal,
    Abs,
    Relu,
    Sigmoid,
    Tanh,
    SiLU,
    Mish,
}

public partial interface IBackend
{
    /// <summary>y = op(x), both contiguous (may alias).</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y);

    /// <summary>dx (+)= dy * op'(x) (y = op(x) is given for ops whose derivative uses it).</summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate);

    /// <summary>y = x * mul + add, both contiguous (may alias).</summary>
    void Affine(Tensor x, double mul, double add, Tensor y);

    /// <summary>y = min(max(x, low), high), both contiguous.</summary>
    void Clamp(Tensor x, double low, double high, Tensor y);

    /// <summary>dx (+)= dy where low &lt; x &lt; high, else 0.</summary>
    void ClampBackward(Tensor x, double low, double high, Tensor dy, Tensor dx, bool accumulate);
}

/// <summary>Elementwise functions (exp, log, activations), x*a+b, and clamping, with gradients.</summary>
public static partial class Ops
{
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);

    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);

    public static Tensor Sqrt(Tensor x) => Unary(UnaryOp.Sqrt, x);

    public static Tensor Square(Tensor x) => Unary(UnaryOp.Square, x);

    public static Tensor Reciprocal(Tensor x) => Unary(UnaryOp.Reciprocal, x);

    public static Tensor Abs(Tensor x) => Unary(UnaryOp.Abs, x);

    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);

    public static Tensor Sigmoid(Tensor x) => Unary(UnaryOp.Sigmoid, x);

    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    public static Tensor SiLU(Tensor x) => Unary(UnaryOp.SiLU, x);

    /// <summary>Mish: x * tanh(softplus(x)).</summary>
    public static Tensor Mish(Tensor x) => Unary(UnaryOp.Mish, x);

    public static Tensor Unary(UnaryOp op, Tensor x)
    {
        x.EnsureAlive(op.ToString());
        var input = x.Contiguous();
        var y = Tensor.EmptyLike(input);
        input.Backend.Unary(op, input, y);
        return GradTape.ShouldRecord(input) ? GradTape.Record(new UnaryNode(op, input), y) : y;
    }

    /// <summary>x * mul + add.</summary>
    public static Tensor Affine(Tensor x, double mul, double add)
    {
        x.EnsureAlive("Affine");
        var input = x.Contiguous();
        var y = Tensor.EmptyLike(input);
        input.Backend.Affine(input, mul, add, y);
        return GradTape.ShouldRecord(input) ? GradTape.Record(new AffineNode(input, mul), y) : y;
    }

    public static Tensor Scale(Tensor x, double s) => Affine(x, s, 0);

    /// <summary>Clamps into [low, high]; the gradient passes where low &lt; x &lt; high.</summary>
    public static Tensor Clamp(Tensor x, double low, double high)
    {
        x.EnsureAlive("Clamp");
        var input = x.Contiguous();
        var y = Tensor.EmptyLike(input);
        input.Backend.Clamp(input, low, high, y);
        return GradTape.ShouldRecord(input) ? GradTape.Record(new ClampNode(input, low, high), y) : y;
    }

    private sealed class UnaryNode(UnaryOp op, Tensor x) : Node(x)
    {
        public override string Name => op.ToString();

        public override void Backward(Tensor g, GradSink grads)
        {
            var x = Inputs[0];
            var dx = grads.Destination(x, out var accumulate);
            x.Backend.UnaryBackward(op, x, Output, g.Contiguous(), dx, accumulate);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var x = Inputs[0];
            if (x.DType == DType.BF16)
            {
                // the derivative's formula needs float32 ops (affine, reductions): recorded in float32, cast back once
                var derivative = UnaryDerivative(op, Cast(x, DType.F32), Cast(Output, DType.F32));
                grads.Accumulate(x, Cast(Mul(Cast(g, DType.F32), derivative), DType.BF16));
                return;
            }
            grads.Accumulate(x, Mul(g, UnaryDerivative(op, x, Output)));
        }
    }

    private sealed class AffineNode(Tensor x, double mul) : Node(x)
    {
        public override string Name => "Affine";

        public override void Backward(Tensor g, GradSink grads)
        {
            using var _ = GradMode.NoGrad();
            grads.Accumulate(Inputs[0], mul == 1 ? g : Scale(g, mul));
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) => grads.Accumulate(Inputs[0], mul == 1 ? g : Scale(g, mul));
    }

    private sealed class ClampNode(Tensor x, double low, double high) : Node(x)
    {
        public override string Name => "Clamp";

        public override void Backward(Tensor g, GradSink grads)
        {
            var x = Inputs[0];
            var dx = grads.Destination(x, out var accumulate);
            x.Backend.ClampBackward(x, low, high, g.Contiguous(), dx, accumulate);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            // the pass-through mask is piecewise constant: its own derivative is zero
            var x = Inputs[0];
            var mask = Tensor.EmptyLike(x);
            x.Backend.ClampBackward(x.Detach(), low, high, Tensor.Full(x.Shape, 1.0, x.DType, x.Device), mask, accumulate: false);
            grads.Accumulate(x, Mul(g, mask));
        }
    }
}
