using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>Row-wise softmax of x [R, D] into y.</summary>
    void SoftmaxForward(Tensor x, Tensor y);

    /// <summary>dx (+)= y ⊙ (dy − Σ dy ⊙ y) row-wise.</summary>
    void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, bool accumulate);
}

/// <summary>Softmax over the last dimension, computed stably (max subtracted).</summary>
public static partial class Ops
{
    public static Tensor Softmax(Tensor x)
    {
        x.EnsureAlive("Softmax");
        var xc = x.Contiguous();
        var d = x.Shape[^1];
        var rows = (int)(x.Numel / Math.Max(1, d));
        var y = Tensor.EmptyLike(xc);
        x.Backend.SoftmaxForward(xc.Reshape(rows, d), y.Reshape(rows, d));
        return GradTape.ShouldRecord(x) ? GradTape.Record(new SoftmaxNode(x, rows, d), y) : y;
    }

    private sealed class SoftmaxNode(Tensor x, int rows, int d) : Node(x)
    {
        public override string Name => "Softmax";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            Output.Backend.SoftmaxBackward(Output.Reshape(rows, d), g.Contiguous().Reshape(rows, d), dx.Reshape(rows, d), acc);
        }

        // dx = y ⊙ (g − Σ_j g_j·y_j), with y the recorded output
        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            grads.Accumulate(Inputs[0], Mul(Output, Sub(g, Sum(Mul(g, Output), [Output.Rank - 1], keepDim: true))));
    }
}
