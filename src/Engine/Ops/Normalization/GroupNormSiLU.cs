using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// y = SiLU(FiLM(GroupNorm(x)·gamma + beta)) for x [N, C, S]: h = x·(rstd·gamma) + (beta − mean·rstd·gamma), then
    /// z = h·scale[n, c] + shift[n, c] when scale is given (shift optional), y = z·sigmoid(z). Writes mean and rstd ([N·G]).
    /// </summary>
    void GroupNormSiLUForward(Tensor x, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups, double eps, Tensor y, Tensor mean, Tensor rstd);

    /// <summary>dx (+)= per <paramref name="accumulateDx"/>; dgamma, dbeta, dscale, dshift are always accumulated (the caller zeroes fresh ones).</summary>
    void GroupNormSiLUBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, Tensor? dscale, Tensor? dshift);
}

/// <summary>GroupNorm, an optional FiLM and SiLU fused into one op (one pass over the activations each way).</summary>
public static partial class Ops
{
    /// <summary>
    /// SiLU(GroupNorm(x)·gamma + beta), or with <paramref name="scale"/> [N, C] (and optional <paramref name="shift"/>
    /// [N, C]) SiLU((GroupNorm(x)·gamma + beta)·scale + shift): equal to the composition of GroupNorm, FiLM and SiLU.
    /// A bf16 x gives a bf16 y (and dx), computed in float32 with float32 statistics, gamma, beta, scale, shift.
    /// </summary>
    public static Tensor GroupNormSiLU(Tensor x, int groups, Tensor? gamma, Tensor? beta, Tensor? scale = null, Tensor? shift = null, double eps = 1e-5)
    {
        const string op = "GroupNormSiLU";
        x.EnsureAlive(op);
        if (x.Rank < 2 || groups <= 0 || x.Shape[1] % groups != 0)
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} cannot be split into {groups} groups",
                "the input must be [N, C, ...] with C divisible by the number of groups");
        }
        int n = x.Shape[0], c = x.Shape[1];
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta") })
        {
            if (t is not null && (t.Rank != 1 || t.Shape[0] != c))
            {
                throw new TensorOpException(op, $"{name} {TensorOpException.Format(t.Shape)} must be [{c}] for input {TensorOpException.Format(x.Shape)}", "give one value per channel");
            }
        }
        if (shift is not null && scale is null)
        {
            throw new TensorOpException(op, "a FiLM shift was given without a scale", "pass a scale (ones for a shift only)");
        }
        foreach (var (t, name) in new[] { (scale, "scale"), (shift, "shift") })
        {
            if (t is not null && (t.Rank != 2 || t.Shape[0] != n || t.Shape[1] != c))
            {
                throw new TensorOpException(op, $"FiLM {name} {TensorOpException.Format(t.Shape)} must be [{n}, {c}]", "give one value per sample and channel");
            }
        }
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta"), (scale, "FiLM scale"), (shift, "FiLM shift") })
        {
            if (t is not null)
            {
                CheckNormalizationParameter(op, x, t, name);
            }
        }
        var xc = x.Contiguous();
        var gc = gamma?.Contiguous();
        var bc = beta?.Contiguous();
        var sc = scale?.Contiguous();
        var shc = shift?.Contiguous();
        var y = Tensor.EmptyLike(xc);
        var mean = Tensor.Empty([n * groups], NormalizationParameterType(x.DType), x.Device);
        var rstd = Tensor.Empty([n * groups], NormalizationParameterType(x.DType), x.Device);
        x.Backend.GroupNormSiLUForward(xc, gc, bc, sc, shc, groups, eps, y, mean, rstd);
        return GradTape.ShouldRecord(x, gamma, beta, scale, shift)
            ? GradTape.Record(new GroupNormSiLUNode(xc, gc, bc, sc, shc, x, gamma, beta, scale, shift, groups, eps, mean, rstd), y)
            : y;
    }

    private sealed class GroupNormSiLUNode(Tensor xc, Tensor? gc, Tensor? bc, Tensor? sc, Tensor? shc, Tensor x, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift,
        int groups, double eps, Tensor mean, Tensor rstd) : Node(Present(x, gamma, beta, scale, shift))
    {
        public override string Name => "GroupNormSiLU";

        public override void Backward(Tensor g, GradSink grads)
        {
            Tensor? dx = null;
            var accX = false;
            if (GradSink.Needs(x))
            {
                dx = grads.Destination(x, out accX);
            }
            var dgamma = ZeroedDestination(gamma, grads);
            var dbeta = ZeroedDestination(beta, grads);
            var dscale = ZeroedDestination(scale, grads);
            var dshift = ZeroedDestination(shift, grads);
            x.Backend.GroupNormSiLUBackward(xc, g.Contiguous(), mean, rstd, gc, bc, sc, shc, groups, dx, accX, dgamma, dbeta, dscale, dshift);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            BackwardByComposition(g, grads, () =>
            {
                // bf16 x: recomposed in float32 (the composition's ops take float32) between two recorded casts
                var h = ComposedGroupNorm(Cast(x, NormalizationParameterType(x.DType)), groups, gamma, beta, eps);
                return Cast(SiLU(scale is null ? h : ComposedFiLM(h, scale, shift)), x.DType);
            });

        /// <summary>The gradient buffer of an optional input, zeroed when fresh (the kernel always accumulates).</summary>
        private static Tensor? ZeroedDestination(Tensor? input, GradSink grads)
        {
            if (input is null || !GradSink.Needs(input))
            {
                return null;
            }
            var d = grads.Destination(input, out var acc);
            if (!acc)
            {
                d.Fill(0);
            }
            return d;
        }
    }
}
