using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y [N,C,OutH,OutW] = maximum of each window of x [N,C,H,W] (padding never wins; NaN propagates).</summary>
    void MaxPool2dForward(Tensor x, Tensor y, PoolGeometry g);

    /// <summary>dx (+)= dy routed to the position that won each window (the first maximum in row-major order, the last NaN).</summary>
    void MaxPool2dBackward(Tensor x, Tensor dy, Tensor dx, PoolGeometry g, bool accumulate);
}

/// <summary>Max pooling over square windows (PyTorch's F.max_pool2d, floor mode, no dilation), with its gradient.</summary>
public static partial class Ops
{
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        const string op = "MaxPool2d";
        x.EnsureAlive(op);
        var g = PoolGeometry.Of(op, x, kernel, stride, padding);
        var xc = x.Contiguous();
        var y = Tensor.Empty([g.Batch, g.Channels, g.OutH, g.OutW], x.DType, x.Device);
        x.Backend.MaxPool2dForward(xc, y, g);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new MaxPool2dNode(xc, x, g), y) : y;
    }

    private sealed class MaxPool2dNode(Tensor xc, Tensor x, PoolGeometry g) : Node(x)
    {
        public override string Name => "MaxPool2d";

        public override void Backward(Tensor gy, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.MaxPool2dBackward(xc, gy.Contiguous(), dx, g, acc);
        }
    }
}
