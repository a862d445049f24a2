namespace NativeTrustRegion.Engine;

/// <summary>
/// The normalization ops written with primitive recorded ops (mean, variance, reciprocal square root, broadcasting
/// multiply/add). Their fused kernels are used for the forward and first-order backward passes; these compositions
/// are what create-graph backward passes differentiate (second-order gradients), see Node.BackwardByComposition.
/// </summary>
public static partial class Ops
{
    /// <summary>(x − mean)/√(var + eps) over the last axis of <paramref name="rows"/> (biased variance, as the kernels).</summary>
    internal static Tensor StandardizeLastAxis(Tensor rows, double eps)
    {
        var last = rows.Rank - 1;
        var centred = Sub(rows, Mean(rows, [last], keepDim: true));
        var variance = Mean(Square(centred), [last], keepDim: true);
        return Mul(centred, Reciprocal(Sqrt(Affine(variance, 1, eps))));
    }

    /// <summary>GroupNorm(x)·gamma + beta for x [N, C, …] as recorded primitive ops.</summary>
    internal static Tensor ComposedGroupNorm(Tensor x, int groups, Tensor? gamma, Tensor? beta, double eps)
    {
        var n = x.Shape[0];
        var c = x.Shape[1];
        var normalized = StandardizeLastAxis(x.Reshape(n, groups, -1), eps).Reshape(n, c, -1);
        return ChannelAffine(normalized, gamma, beta).Reshape(x.Shape);
    }

    /// <summary>LayerNorm over the last axis, ·gamma + beta, as recorded primitive ops.</summary>
    internal static Tensor ComposedLayerNorm(Tensor x, Tensor? gamma, Tensor? beta, double eps)
    {
        var y = StandardizeLastAxis(x, eps);
        if (gamma is not null)
        {
            y = Mul(y, gamma);
        }
        return beta is null ? y : Add(y, beta);
    }

    /// <summary>h [N, C, S] · gamma[c] + beta[c].</summary>
    private static Tensor ChannelAffine(Tensor h, Tensor? gamma, Tensor? beta)
    {
        var c = h.Shape[1];
        if (gamma is not null)
        {
            h = Mul(h, gamma.Reshape(1, c, 1));
        }
        return beta is null ? h : Add(h, beta.Reshape(1, c, 1));
    }

    /// <summary>x [N, C, …] · scale[n, c] + shift[n, c] (shift optional) as recorded primitive ops.</summary>
    internal static Tensor ComposedFiLM(Tensor x, Tensor scale, Tensor? shift)
    {
        var n = x.Shape[0];
        var c = x.Shape[1];
        var h = Mul(x.Reshape(n, c, -1), scale.Reshape(n, c, 1));
        if (shift is not null)
        {
            h = Add(h, shift.Reshape(n, c, 1));
        }
        return h.Reshape(x.Shape);
    }
}
