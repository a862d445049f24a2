using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y = x·scale[b, c] + bias[b, c] for x [B, C, T] (T = product of the trailing dims), scale and bias [B, C]; bias may be null.</summary>
    void FiLMForward(Tensor x, Tensor scale, Tensor? bias, Tensor y);

    /// <summary>dx (+)= dy·scale, dscale (+)= Σ_t dy·x, dbias (+)= Σ_t dy; null outputs are skipped, each has its own accumulate flag.</summary>
    void FiLMBackward(Tensor x, Tensor scale, Tensor dy, Tensor? dx, bool accumulateX, Tensor? dscale, bool accumulateScale, Tensor? dbias, bool accumulateBias);
}

/// <summary>Feature-wise linear modulation (FiLM): a per-sample, per-channel scale and bias (Diffusion Policy's conditioning).</summary>
public static partial class Ops
{
    /// <summary>x [B, C, T…] · scale[:, :, None] + bias[:, :, None] with scale and bias [B, C].</summary>
    public static Tensor FiLM(Tensor x, Tensor scale, Tensor bias)
    {
        const string op = "FiLM";
        x.EnsureAlive(op);
        scale.EnsureAlive(op);
        bias.EnsureAlive(op);
        TensorOpException.Compatible(op, x, scale);
        TensorOpException.Compatible(op, x, bias);
        if (x.Rank < 2 || scale.Rank != 2 || bias.Rank != 2 || scale.Shape[0] != x.Shape[0] || scale.Shape[1] != x.Shape[1] || !Shape.Equal(scale.Shape, bias.Shape))
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)}, scale {TensorOpException.Format(scale.Shape)}, bias {TensorOpException.Format(bias.Shape)} do not fit",
                "give the input as [B, C, T] and scale and bias as [B, C]");
        }
        var xc = x.Contiguous();
        var sc = scale.Contiguous();
        var bc = bias.Contiguous();
        var y = Tensor.EmptyLike(xc);
        x.Backend.FiLMForward(xc, sc, bc, y);
        return GradTape.ShouldRecord(x, scale, bias) ? GradTape.Record(new FiLMNode(xc, sc, x, scale, bias), y) : y;
    }

    private sealed class FiLMNode(Tensor xc, Tensor sc, Tensor x, Tensor scale, Tensor bias) : Node(x, scale, bias)
    {
        public override string Name => "FiLM";

        public override void Backward(Tensor g, GradSink grads)
        {
            Tensor? dx = null, ds = null, db = null;
            bool ax = false, asc = false, ab = false;
            if (GradSink.Needs(x))
            {
                dx = grads.Destination(x, out ax);
            }
            if (GradSink.Needs(scale))
            {
                ds = grads.Destination(scale, out asc);
            }
            if (GradSink.Needs(bias))
            {
                db = grads.Destination(bias, out ab);
            }
            x.Backend.FiLMBackward(xc, sc, g.Contiguous(), dx, ax, ds, asc, db, ab);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            BackwardByComposition(g, grads, () => ComposedFiLM(x, scale, bias));
    }
}
