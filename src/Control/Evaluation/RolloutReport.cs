namespace NativeTrustRegion.Control.Evaluation;

/// <summary>Success statistics of a policy on one task over seeded episodes.</summary>
public sealed record RolloutReport(ControlTask Task, IReadOnlyList<EpisodeOutcome> Episodes)
{
    public int Successes => Episodes.Count(episode => episode.Success);

    /// <summary>Fraction of episodes with a success at some step (Continual World's definition).</summary>
    public double SuccessRate => Episodes.Count == 0 ? 0.0 : (double)Successes / Episodes.Count;
}
