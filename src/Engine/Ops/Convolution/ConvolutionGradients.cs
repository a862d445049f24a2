using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The two gradients of a convolution as differentiable ops, for create-graph backward passes (second-order
/// gradients): the input gradient (a transposed convolution of dy with w) and the filter gradient (a correlation of x
/// with dy). Both are bilinear, and each one's backward is made of the convolution and the other gradient.
/// </summary>
public static partial class Ops
{
    /// <summary>dx [N, Cin, H, W] of the convolution <paramref name="g"/> for output gradient dy and weight w.</summary>
    internal static Tensor Conv2dInputGradient(Tensor dy, Tensor w, ConvGeometry g)
    {
        var dyc = dy.Contiguous();
        var wc = w.Contiguous();
        var dx = Tensor.Empty([g.Batch, g.InChannels, g.InH, g.InW], dy.DType, dy.Device);
        dy.Backend.Conv2dBackwardData(dyc, wc, dx, g, accumulate: false);
        return GradTape.ShouldRecord(dyc, wc) ? GradTape.Record(new ConvInputGradientNode(dyc, wc, g), dx) : dx;
    }

    /// <summary>dw [Cout, Cin, kh, kw] of the convolution <paramref name="g"/> for input x and output gradient dy.</summary>
    internal static Tensor Conv2dFilterGradient(Tensor x, Tensor dy, ConvGeometry g)
    {
        var xc = x.Contiguous();
        var dyc = dy.Contiguous();
        var dw = Tensor.Empty([g.OutChannels, g.InChannels, g.KernelH, g.KernelW], x.DType, x.Device);
        x.Backend.Conv2dBackwardFilter(xc, dyc, dw, g, accumulate: false);
        return GradTape.ShouldRecord(xc, dyc) ? GradTape.Record(new ConvFilterGradientNode(xc, dyc, g), dw) : dw;
    }

    /// <summary>The convolution <paramref name="g"/> itself (no bias) of x with w.</summary>
    internal static Tensor ConvolveWith(Tensor x, Tensor w, ConvGeometry g) => Conv2d(x, w, null, (g.StrideH, g.StrideW), (g.PadH, g.PadW));

    private sealed class ConvInputGradientNode(Tensor dy, Tensor w, ConvGeometry g) : Node(dy, w)
    {
        public override string Name => "Conv2dInputGradient";

        // dx = Aᵀ(w)·dy: for an incoming r (shaped like x), d dy = conv(r, w) and d w = filter-gradient(r, dy).
        public override void Backward(Tensor r, GradSink grads)
        {
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], ConvolveWith(r, Inputs[1], g));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                grads.Accumulate(Inputs[1], Conv2dFilterGradient(r, Inputs[0], g));
            }
        }

        public override void BackwardWithGraph(Tensor r, GradSink grads) => Backward(r, grads);
    }

    private sealed class ConvFilterGradientNode(Tensor x, Tensor dy, ConvGeometry g) : Node(x, dy)
    {
        public override string Name => "Conv2dFilterGradient";

        // dw = Σ x ⋆ dy: for an incoming r (shaped like w), d x = input-gradient(dy, r) and d dy = conv(x, r).
        public override void Backward(Tensor r, GradSink grads)
        {
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], Conv2dInputGradient(Inputs[1], r, g));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                grads.Accumulate(Inputs[1], ConvolveWith(Inputs[0], r, g));
            }
        }

        public override void BackwardWithGraph(Tensor r, GradSink grads) => Backward(r, grads);
    }
}
