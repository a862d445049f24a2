using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y [N,C,2H,2W] = nearest-neighbour 2x upsampling of x [N,C,H,W].</summary>
    void UpsampleNearest2xForward(Tensor x, Tensor y);

    /// <summary>dx (+)= sum of each 2x2 block of dy.</summary>
    void UpsampleNearest2xBackward(Tensor dy, Tensor dx, bool accumulate);
}

public static partial class Ops
{
    /// <summary>Nearest-neighbour 2x upsampling of [N, C, H, W].</summary>
    public static Tensor UpsampleNearest2x(Tensor x)
    {
        TensorOpException.Rank("UpsampleNearest2x", x, 4);
        var xc = x.Contiguous();
        var y = Tensor.Empty([x.Shape[0], x.Shape[1], 2 * x.Shape[2], 2 * x.Shape[3]], x.DType, x.Device);
        x.Backend.UpsampleNearest2xForward(xc, y);
        return GradTape.ShouldRecord(x) ? GradTape.Record(new UpsampleNode(x), y) : y;
    }

    private sealed class UpsampleNode(Tensor x) : Node(x)
    {
        public override string Name => "UpsampleNearest2x";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.UpsampleNearest2xBackward(g.Contiguous(), dx, acc);
        }

        // the adjoint of nearest 2× upsampling sums each 2×2 block: 4·AvgPool2x2
        // (bf16 gradients scaled in float32: the affine kernel is float32/float64 only)
        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            grads.Accumulate(Inputs[0], Cast(Scale(AvgPool2x2(Cast(g, NormalizationParameterType(g.DType))), 4), g.DType));
    }
}
