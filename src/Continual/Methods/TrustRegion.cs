using NativeTrustRegion.Continual.Fisher;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Trust Region continual learning (the paper's eq. 8): generative replay supplies old-task gradients (query-like) and
/// the rank-1 Fisher penalty λ·Σ_k ½c_k(μ_kᵀ(θ − θ*_k))² keeps every update inside a Fisher-metric region around the
/// old optima (support-curvature-like): L = L_diff(current ∪ replay) + w·L_distill + λ·L_EWC, one Adam step.
/// </summary>
public sealed class TrustRegion() : ReplayAndPenaltyMethod(replay: true, penalty: FisherForm.Rank1)
{
    public override string Id => "trust-region";
}
