using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Distributed;

namespace NativeTrustRegion.Continual.Fisher;

/// <summary>
/// The empirical Fisher of a finished task k at θ*_k, in the two forms the methods use:
/// rank-1 F ≈ c*·μμᵀ with μ = E[g] and c* = E[(μᵀg)²]/‖μ‖⁴ (Wang et al.; Frobenius-optimal scale), and the
/// diagonal E[g ⊙ g]. Both are estimated from the same per-sample gradients (pass 1), c* from a second pass with
/// re-drawn timesteps and noise (as the authors' code does). Over several data-parallel ranks each rank computes its
/// share of the per-sample gradients (with the draws one process gives them) and the partial sums of μ, E[g ⊙ g] and
/// E[(μᵀg)²] are all-reduced, so every rank holds the one-process estimate up to the order of the additions.
/// </summary>
public sealed class FisherEstimate
{
    private FisherEstimate(Tensor mean, Tensor diagonal, double scale, Tensor anchor, int samples)
    {
        Mean = mean;
        Diagonal = diagonal;
        Scale = scale;
        Anchor = anchor;
        Samples = samples;
        AnchorProjection = VectorOps.Dot(mean, anchor);
    }

    /// <summary>μ: the mean per-sample gradient (flat).</summary>
    public Tensor Mean { get; }

    /// <summary>E[g ⊙ g] (flat).</summary>
    public Tensor Diagonal { get; }

    /// <summary>c* = E[(μᵀg)²]/(‖μ‖⁴ + 1e-12), 0 when ‖μ‖² ≤ 1e-12.</summary>
    public double Scale { get; }

    /// <summary>θ*_k (flat copy of the weights when the task ended).</summary>
    public Tensor Anchor { get; }

    /// <summary>b = μᵀθ*_k (so the rank-1 penalty needs only μ and this scalar).</summary>
    public double AnchorProjection { get; }

    public int Samples { get; }

    public static FisherEstimate Estimate(ContinualContext ctx, int task, int samples)
    {
        var store = ctx.Parameters;
        var data = ctx.Stream[task].Subset(samples, ctx.Fisher);
        var n = data.Size;
        var mean = store.NewFlat();
        var diagonal = store.NewFlat();
        var anchor = store.NewFlat();
        anchor.CopyFrom(store.Data);
        var collective = ctx.Collective;
        var share = collective.Share(n);
        PerSampleGradients.ForEach(ctx, data, ctx.Fisher, (_, g) =>
        {
            VectorOps.Axpy(1.0 / n, g, mean);
            var squared = Ops.Square(g);
            VectorOps.Axpy(1.0 / n, squared, diagonal);
        }, only: share);
        TensorAllReduce.Sum(collective, mean);
        TensorAllReduce.Sum(collective, diagonal);
        var second = 0.0;
        PerSampleGradients.ForEach(ctx, data, ctx.Fisher, (_, g) =>
        {
            var projection = VectorOps.Dot(mean, g);
            second += projection * projection / n;
        }, only: share);
        if (collective.Size > 1)
        {
            Span<double> partial = [second];
            collective.AllReduceSum(partial);
            second = partial[0];
        }
        var norm2 = VectorOps.SquaredNorm(mean);
        var scale = norm2 <= 1e-12 ? 0 : second / (norm2 * norm2 + 1e-12);
        store.ZeroGrad();
        return new FisherEstimate(mean, diagonal, scale, anchor, n);
    }

    /// <summary>Rebuilds an estimate from checkpointed vectors.</summary>
    public static FisherEstimate Restore(Tensor mean, Tensor diagonal, double scale, Tensor anchor, int samples) =>
        new(mean, diagonal, scale, anchor, samples);
}
