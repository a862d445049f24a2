namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// The policy queries of one rollout episode, in order: the normalised observation history of each query
/// ([Count, O·39]) and the action sequence the policy sampled for it ([Count, S·4]). These are the replay windows a
/// teacher's rollouts contribute.
/// </summary>
public sealed record RolloutWindows(int Seed, bool Success, int Count, float[] Histories, float[] Actions);
