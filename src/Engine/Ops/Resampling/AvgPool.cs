using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y [N,C,H/2,W/2] = mean of each 2x2 block of x [N,C,H,W] (H, W even).</summary>
    void AvgPool2x2Forward(Tensor x, Tensor y);

    /// <summary>dx (+)= dy/4 spread over each 2x2 block.</summary>
    void AvgPool2x2Backward(Tensor dy, Tensor dx, bool accumulate);
}

public static partial class Ops
{
    /// <summary>2x2 average pooling with stride 2 (diffusers' non-conv downsampling inside ResNet blocks).</summary>
    public static Tensor AvgPool2x2(Tensor x)
    {
        TensorOpException.Rank("AvgPool2x2", x, 4);
        if (x.Shape[2] % 2 != 0 || x.Shape[3] % 2 != 0)
        {
            throw new TensorOpException("AvgPool2x2", $"input {TensorOpException.Format(x.Shape)} has odd height or width", "use even spatial sizes");
        }
        var xc = x.Contiguous();
        var y = Tensor.Empty([x.Shape[0], x.Shape[1], x.Shape[2] / 2, x.Shape[3] / 2], x.DType, x.Device);
        x.Backend.AvgPool2x2Forward(xc, y);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new AvgPoolNode(x), y) : y;
    }

    private sealed class AvgPoolNode(Tensor x) : Node(x)
    {
        public override string Name => "AvgPool2x2";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.AvgPool2x2Backward(g.Contiguous(), dx, acc);
        }

        // the adjoint of 2×2 averaging spreads a quarter to each pixel of the block
        // (bf16 gradients scaled in float32: the affine kernel is float32/float64 only)
        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            grads.Accumulate(Inputs[0], Cast(Scale(UpsampleNearest2x(Cast(g, NormalizationParameterType(g.DType))), 0.25), g.DType));
    }
}
