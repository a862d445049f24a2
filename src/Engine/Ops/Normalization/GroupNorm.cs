using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// Group normalisation of x [N, C, S] (S = product of spatial dims) in G groups, with optional per-channel
    /// affine. Writes y and the per-(n, group) mean and 1/sqrt(var + eps) ([N·G]) for the backward pass.
    /// </summary>
    void GroupNormForward(Tensor x, Tensor? gamma, Tensor? beta, int groups, double eps, Tensor y, Tensor mean, Tensor rstd);

    /// <summary>dx (+)=, dgamma (+)=, dbeta (+)= from dy (the outputs that are not needed may be null).</summary>
    void GroupNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, bool accumulateParams);
}

/// <summary>
/// GroupNorm over [N, C, ...] (PyTorch semantics: biased variance, eps inside the square root). A bf16 x gives a bf16 y
/// (and dx) computed in float32 with float32 statistics and float32 gamma, beta (and their gradients).
/// </summary>
public static partial class Ops
{
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? gamma, Tensor? beta, double eps = 1e-5)
    {
        const string op = "GroupNorm";
        x.EnsureAlive(op);
        if (x.Rank < 2 || x.Shape[1] % groups != 0)
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} cannot be split into {groups} groups",
                "the input must be [N, C, ...] with C divisible by the number of groups");
        }
        var c = x.Shape[1];
        if ((gamma is not null && (gamma.Rank != 1 || gamma.Shape[0] != c)) || (beta is not null && (beta.Rank != 1 || beta.Shape[0] != c)))
        {
            throw new TensorOpException(op, $"affine parameters must be [{c}] for input {TensorOpException.Format(x.Shape)}", "give gamma and beta one value per channel");
        }
        if (gamma is not null)
        {
            CheckNormalizationParameter(op, x, gamma, "gamma");
        }
        if (beta is not null)
        {
            CheckNormalizationParameter(op, x, beta, "beta");
        }
        var xc = x.Contiguous();
        var n = x.Shape[0];
        var y = Tensor.EmptyLike(xc);
        var mean = Tensor.Empty([n * groups], NormalizationParameterType(x.DType), x.Device);
        var rstd = Tensor.Empty([n * groups], NormalizationParameterType(x.DType), x.Device);
        x.Backend.GroupNormForward(xc, gamma?.Contiguous(), beta?.Contiguous(), groups, eps, y, mean, rstd);
        return GradTape.ShouldRecord(x, gamma, beta) ? GradTape.Record(new GroupNormNode(xc, x, gamma, beta, groups, eps, mean, rstd), y) : y;
    }

    private sealed class GroupNormNode(Tensor xc, Tensor x, Tensor? gamma, Tensor? beta, int groups, double eps, Tensor mean, Tensor rstd)
        : Node(Present(x, gamma, beta))
    {
        public override string Name => "GroupNorm";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dy = g.Contiguous();
            Tensor? dx = null, dgamma = null, dbeta = null;
            bool accX = false, accG = false, accB = false;
            if (GradSink.Needs(x))
            {
                dx = grads.Destination(x, out accX);
            }
            if (gamma is not null && GradSink.Needs(gamma))
            {
                dgamma = grads.Destination(gamma, out accG);
            }
            if (beta is not null && GradSink.Needs(beta))
            {
                dbeta = grads.Destination(beta, out accB);
            }
            // The kernel takes one accumulate flag for both affine gradients; normalise them to "accumulate".
            if (dgamma is not null && !accG)
            {
                dgamma.Fill(0);
            }
            if (dbeta is not null && !accB)
            {
                dbeta.Fill(0);
            }
            x.Backend.GroupNormBackward(xc, dy, mean, rstd, gamma?.Contiguous(), groups, dx, accX, dgamma, dbeta, accumulateParams: true);
        }

        // bf16 x: recomposed in float32 (the composition's ops take float32) between two recorded casts
        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            BackwardByComposition(g, grads, () => Cast(ComposedGroupNorm(Cast(x, NormalizationParameterType(x.DType)), groups, gamma, beta, eps), x.DType));
    }
}
