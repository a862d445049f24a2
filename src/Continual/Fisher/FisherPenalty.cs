using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Continual.Fisher;

public enum FisherForm
{
    /// <summary>F ≈ c*·μμᵀ (Wang et al., the paper's EWC).</summary>
    Rank1,

    /// <summary>F ≈ diag(E[g ⊙ g]) (classic EWC).</summary>
    Diagonal,
}

/// <summary>
/// The EWC penalty summed over finished tasks, λ·Σ_k ½·(θ − θ*_k)ᵀF_k(θ − θ*_k), added to the flat gradient:
/// rank-1: λ·c_k·(μ_kᵀθ − b_k)·μ_k per task (one dot product and one axpy, no P×P matrix);
/// diagonal: λ·F_k ⊙ (θ − θ*_k).
/// </summary>
public sealed class FisherPenalty
{
    private readonly List<FisherEstimate> _tasks = new();

    public FisherPenalty(FisherForm form, double lambda)
    {
        Form = form;
        Lambda = lambda;
    }

    public FisherForm Form { get; }

    public double Lambda { get; }

    public IReadOnlyList<FisherEstimate> Tasks => _tasks;

    public void Add(FisherEstimate estimate) => _tasks.Add(estimate);

    /// <summary>Adds the penalty's gradient at θ to <paramref name="grad"/>; returns the penalty value.</summary>
    public double AddGradient(Tensor theta, Tensor grad)
    {
        var value = 0.0;
        foreach (var k in _tasks)
        {
            if (Form == FisherForm.Rank1)
            {
                var d = VectorOps.Dot(k.Mean, theta) - k.AnchorProjection;
                value += 0.5 * Lambda * k.Scale * d * d;
                VectorOps.Axpy(Lambda * k.Scale * d, k.Mean, grad);
            }
            else
            {
                using var scope = TensorScope.Begin();
                var delta = theta - k.Anchor;
                var weighted = delta * k.Diagonal;
                value += 0.5 * Lambda * VectorOps.Dot(weighted, delta);
                VectorOps.Axpy(Lambda, weighted, grad);
            }
        }
        return value;
    }
}
