using NativeTrustRegion.Continual.Fisher;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// EWC: L = L_diff + λ·Σ_k ½(θ − θ*_k)ᵀF_k(θ − θ*_k) with the rank-1 Fisher F_k = c*_k·μ_kμ_kᵀ of Wang et al. (the paper's
/// EWC baseline) or, as "ewc-diag", the classic diagonal Fisher. One Fisher per finished task, penalties summed.
/// </summary>
public sealed class Ewc(FisherForm form) : ReplayAndPenaltyMethod(replay: false, penalty: form)
{
    public override string Id => PenaltyForm == FisherForm.Rank1 ? "ewc" : "ewc-diag";
}
