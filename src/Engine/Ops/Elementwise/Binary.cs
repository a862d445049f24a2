using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
}

public partial interface IBackend
{
    /// <summary>out = a (op) b elementwise; all three have the output's shape but any strides (0 = broadcast).</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor output);
}

/// <summary>Broadcasting add, sub, mul, div with their gradients (summed back over broadcast dimensions).</summary>
public static partial class Ops
{
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);

    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b);

    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b);

    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b);

    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        var name = op.ToString();
        a.EnsureAlive(name);
        b.EnsureAlive(name);
        TensorOpException.Compatible(name, a, b);
        var shape = Shape.Broadcast(name, a.Shape, b.Shape);
        var output = Tensor.Empty(shape, a.DType, a.Device);
        a.Backend.Binary(op, a.Detach().Expand(shape), b.Detach().Expand(shape), output);
        return GradTape.ShouldRecord(a, b) ? GradTape.Record(new BinaryNode(op, a, b), output) : output;
    }

    private sealed class BinaryNode(BinaryOp op, Tensor a, Tensor b) : Node(a, b)
    {
        public override string Name => op.ToString();

        public override void Backward(Tensor g, GradSink grads)
        {
            var a = Inputs[0];
            var b = Inputs[1];
            using var _ = GradMode.NoGrad();
            if (GradSink.Needs(a))
            {
                var ga = op switch
                {
                    BinaryOp.Add or BinaryOp.Sub => g,
                    BinaryOp.Mul => Mul(g, b.Detach()),
                    _ => Div(g, b.Detach()),
                };
                grads.Accumulate(a, SumTo(ga, a.Shape));
            }
            if (GradSink.Needs(b))
            {
                var gb = op switch
                {
                    BinaryOp.Add => g,
                    BinaryOp.Sub => Scale(g, -1),
                    BinaryOp.Mul => Mul(g, a.Detach()),
                    _ => Scale(Div(Mul(g, Output.Detach()), b.Detach()), -1),
                };
                grads.Accumulate(b, SumTo(gb, b.Shape));
            }
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var a = Inputs[0];
            var b = Inputs[1];
            if (GradSink.Needs(a))
            {
                var ga = op switch
                {
                    BinaryOp.Add or BinaryOp.Sub => g,
                    BinaryOp.Mul => Mul(g, b),
                    _ => Div(g, b),
                };
                grads.Accumulate(a, SumTo(ga, a.Shape));
            }
            if (GradSink.Needs(b))
            {
                var gb = op switch
                {
                    BinaryOp.Add => g,
                    BinaryOp.Sub => Scale(g, -1),
                    BinaryOp.Mul => Mul(g, a),
                    _ => Scale(Div(Mul(g, Output), b), -1),
                };
                grads.Accumulate(b, SumTo(gb, b.Shape));
            }
        }
    }
}

public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);

    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);

    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);

    public static Tensor operator +(Tensor a, double s) => Ops.Affine(a, 1, s);

    public static Tensor operator +(double s, Tensor a) => Ops.Affine(a, 1, s);

    public static Tensor operator -(Tensor a, double s) => Ops.Affine(a, 1, -s);

    public static Tensor operator -(double s, Tensor a) => Ops.Affine(a, -1, s);

    public static Tensor operator *(Tensor a, double s) => Ops.Affine(a, s, 0);

    public static Tensor operator *(double s, Tensor a) => Ops.Affine(a, s, 0);

    public static Tensor operator /(Tensor a, double s) => Ops.Affine(a, 1 / s, 0);

    public static Tensor operator -(Tensor a) => Ops.Affine(a, -1, 0);
}
