namespace NativeTrustRegion.Control;

/// <summary>Outcome of one <see cref="ManipulationEnv.Step"/>.</summary>
/// <param name="Observation">The new 39-number observation (see <see cref="ObservationLayout"/>).</param>
/// <param name="Success">Whether the task's success condition holds after this step.</param>
/// <param name="HorizonReached">Whether this was the episode's last allowed step (<see cref="ManipulationEnv.MaxEpisodeSteps"/>).</param>
public readonly record struct StepResult(float[] Observation, bool Success, bool HorizonReached);
