using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y [N,C,H',W'] = bilinear resize of x [N,C,H,W] (align_corners = false, no antialiasing).</summary>
    void ResizeBilinearForward(Tensor x, Tensor y);

    /// <summary>dx (+)= the transpose of the resize applied to dy.</summary>
    void ResizeBilinearBackward(Tensor dy, Tensor dx, bool accumulate);
}

/// <summary>
/// Bilinear resize to a given size with PyTorch's F.interpolate(mode='bilinear', align_corners=False, antialias=False)
/// semantics (the resize pytorch-fid applies before Inception): output index o samples input coordinate
/// max(0, (o + ½)·in/out − ½), interpolating between its floor and the next index (clamped at the last one).
/// The coordinate arithmetic is done in the tensor's dtype, as PyTorch does.
/// </summary>
public static partial class Ops
{
    public static Tensor ResizeBilinear(Tensor x, int height, int width)
    {
        const string op = "ResizeBilinear";
        x.EnsureAlive(op);
        TensorOpException.Rank(op, x, 4);
        if (height <= 0 || width <= 0)
        {
            throw new TensorOpException(op, $"output size {height}×{width} is empty", "give a positive height and width");
        }
        if (x.Shape[2] == 0 || x.Shape[3] == 0)
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} has no pixels", "give a non-empty image");
        }
        var xc = x.Contiguous();
        var y = Tensor.Empty([x.Shape[0], x.Shape[1], height, width], x.DType, x.Device);
        x.Backend.ResizeBilinearForward(xc, y);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new ResizeBilinearNode(x), y) : y;
    }

    private sealed class ResizeBilinearNode(Tensor x) : Node(x)
    {
        public override string Name => "ResizeBilinear";

        public override void Backward(Tensor gy, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.ResizeBilinearBackward(gy.Contiguous(), dx, acc);
        }

        public override void BackwardWithGraph(Tensor gy, GradSink grads) => grads.Accumulate(Inputs[0], ResizeBilinearAdjoint(gy, Inputs[0].Shape));
    }

    /// <summary>The input gradient of <see cref="ResizeBilinear"/> as a recorded op (the resize is linear; this is its adjoint, whose adjoint is the resize).</summary>
    private static Tensor ResizeBilinearAdjoint(Tensor gy, int[] inputShape)
    {
        var gc = gy.Contiguous();
        var dx = Tensor.Empty(inputShape, gy.DType, gy.Device);
        gy.Backend.ResizeBilinearBackward(gc, dx, accumulate: false);
        return GradTape.ShouldRecord(gc) ? GradTape.Record(new ResizeBilinearAdjointNode(gc), dx) : dx;
    }

    private sealed class ResizeBilinearAdjointNode(Tensor gy) : Node(gy)
    {
        public override string Name => "ResizeBilinearAdjoint";

        public override void Backward(Tensor r, GradSink grads) => grads.Accumulate(Inputs[0], ResizeBilinear(r, Inputs[0].Shape[2], Inputs[0].Shape[3]));

        public override void BackwardWithGraph(Tensor r, GradSink grads) => Backward(r, grads);
    }
}
