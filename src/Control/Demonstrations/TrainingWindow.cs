namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>
/// One diffusion-policy training sample: the observation history ending at step <see cref="Step"/>
/// (<c>ObservationHorizon × 39</c> floats, oldest first) and the action sequence starting at the history's first
/// step (<c>SequenceLength × 4</c> floats). The actions a policy executes from this window are at sequence
/// positions ObservationHorizon − 1 … (see <see cref="TrainingWindows.ExecutedActionOffset"/>).
/// </summary>
public readonly record struct TrainingWindow(int Episode, int Step, float[] ObservationHistory, float[] Actions);
