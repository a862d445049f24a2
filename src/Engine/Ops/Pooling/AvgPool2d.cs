using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// y [N,C,OutH,OutW] = sum of each window's input elements over its divisor: the window's area clipped to the padded
    /// input when <paramref name="countIncludePad"/>, else the number of input elements it covers.
    /// </summary>
    void AvgPool2dForward(Tensor x, Tensor y, PoolGeometry g, bool countIncludePad);

    /// <summary>dx (+)= Σ over the windows covering each input element of dy / that window's divisor.</summary>
    void AvgPool2dBackward(Tensor dy, Tensor dx, PoolGeometry g, bool countIncludePad, bool accumulate);
}

/// <summary>Average pooling over square windows (PyTorch's F.avg_pool2d, floor mode, no divisor override), with its gradient.</summary>
public static partial class Ops
{
    /// <summary>
    /// <paramref name="countIncludePad"/> = true is PyTorch's default (padded zeros count in the mean); false averages
    /// only the input elements under the window (TensorFlow's behaviour, used by the FID Inception network).
    /// </summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride, int padding = 0, bool countIncludePad = true)
    {
        const string op = "AvgPool2d";
        x.EnsureAlive(op);
        var g = PoolGeometry.Of(op, x, kernel, stride, padding);
        var xc = x.Contiguous();
        var y = Tensor.Empty([g.Batch, g.Channels, g.OutH, g.OutW], x.DType, x.Device);
        x.Backend.AvgPool2dForward(xc, y, g, countIncludePad);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new AvgPool2dNode(x, g, countIncludePad), y) : y;
    }

    private sealed class AvgPool2dNode(Tensor x, PoolGeometry g, bool countIncludePad) : Node(x)
    {
        public override string Name => "AvgPool2d";

        public override void Backward(Tensor gy, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.AvgPool2dBackward(gy.Contiguous(), dx, g, countIncludePad, acc);
        }

        public override void BackwardWithGraph(Tensor gy, GradSink grads) => grads.Accumulate(Inputs[0], AvgPool2dAdjoint(gy, g, countIncludePad));
    }

    /// <summary>The input gradient of <see cref="AvgPool2d"/> as a recorded op (the pooling is linear; this is its adjoint, whose adjoint is the pooling).</summary>
    private static Tensor AvgPool2dAdjoint(Tensor gy, PoolGeometry g, bool countIncludePad)
    {
        var gc = gy.Contiguous();
        var dx = Tensor.Empty([g.Batch, g.Channels, g.InH, g.InW], gy.DType, gy.Device);
        gy.Backend.AvgPool2dBackward(gc, dx, g, countIncludePad, accumulate: false);
        return GradTape.ShouldRecord(gc) ? GradTape.Record(new AvgPool2dAdjointNode(gc, g, countIncludePad), dx) : dx;
    }

    private sealed class AvgPool2dAdjointNode(Tensor gy, PoolGeometry g, bool countIncludePad) : Node(gy)
    {
        public override string Name => "AvgPool2dAdjoint";

        public override void Backward(Tensor r, GradSink grads) => grads.Accumulate(Inputs[0], AvgPool2d(r, g.Kernel, g.Stride, g.Padding, countIncludePad));

        public override void BackwardWithGraph(Tensor r, GradSink grads) => Backward(r, grads);
    }
}
