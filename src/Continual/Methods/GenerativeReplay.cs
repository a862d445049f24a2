namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Generative replay by generative distillation (Masip et al., as used by the TRCL authors): after each task a frozen
/// teacher generates a pool of DDIM samples for every old class; each step trains on current ∪ β·B replay samples
/// (ordinary ε targets) plus w·MSE(ε̂_student, ε̂_teacher) on the replay samples at independent (t′, ε′).
/// </summary>
public sealed class GenerativeReplay() : ReplayAndPenaltyMethod(replay: true, penalty: null)
{
    public override string Id => "replay";
}
