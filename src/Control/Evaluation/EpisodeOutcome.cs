namespace NativeTrustRegion.Control.Evaluation;

/// <summary>Result of one evaluation episode.</summary>
/// <param name="Seed">Seed passed to <see cref="ManipulationEnv.Reset"/>.</param>
/// <param name="Success">Whether the success condition held at some step.</param>
/// <param name="Steps">Steps taken (up to the first success when the rollout stops there).</param>
public readonly record struct EpisodeOutcome(int Seed, bool Success, int Steps);
