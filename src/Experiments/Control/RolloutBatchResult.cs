using NativeTrustRegion.Control.Evaluation;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>What <see cref="LockstepRollouts.Run"/> returns: one outcome per requested seed (in request order), the recorded
/// queries per episode when recording was asked for, and the episodes that ended in a MuJoCo error (counted as failures).</summary>
public sealed record RolloutBatchResult(IReadOnlyList<EpisodeOutcome> Outcomes, IReadOnlyList<RolloutWindows>? Windows, int PhysicsErrors)
{
    public int Successes => Outcomes.Count(o => o.Success);

    public double SuccessRate => Outcomes.Count == 0 ? 0 : (double)Successes / Outcomes.Count;

    /// <summary>Mean episode length of the successful episodes (steps to success), or null when none succeeded.</summary>
    public double? MeanStepsToSuccess => Successes == 0 ? null : Outcomes.Where(o => o.Success).Average(o => (double)o.Steps);
}
