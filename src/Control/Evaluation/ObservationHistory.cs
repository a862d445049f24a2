namespace NativeTrustRegion.Control.Evaluation;

/// <summary>
/// The last <see cref="Horizon"/> observations of an episode, flattened oldest first into
/// <c>Horizon × 39</c> floats. At the start of an episode the history is padded by repeating the first observation,
/// the same convention <see cref="Demonstrations.TrainingWindows"/> uses for training windows.
/// </summary>
public sealed class ObservationHistory
{
    private readonly float[] _values;

    public ObservationHistory(int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        Horizon = horizon;
        _values = new float[horizon * ObservationLayout.Size];
    }

    public int Horizon { get; }

    /// <summary>Starts a new episode: every slot holds <paramref name="firstObservation"/>.</summary>
    public void Reset(ReadOnlySpan<float> firstObservation)
    {
        CheckLength(firstObservation);
        for (int slot = 0; slot < Horizon; slot++)
        {
            firstObservation.CopyTo(_values.AsSpan(slot * ObservationLayout.Size));
        }
    }

    /// <summary>Appends the newest observation, dropping the oldest.</summary>
    public void Push(ReadOnlySpan<float> observation)
    {
        CheckLength(observation);
        _values.AsSpan(ObservationLayout.Size).CopyTo(_values);
        observation.CopyTo(_values.AsSpan((Horizon - 1) * ObservationLayout.Size));
    }

    /// <summary>A fresh copy of the flattened history (oldest first).</summary>
    public float[] ToArray() => (float[])_values.Clone();

    private static void CheckLength(ReadOnlySpan<float> observation)
    {
        if (observation.Length != ObservationLayout.Size)
        {
            throw new ArgumentException($"An observation has {ObservationLayout.Size} numbers; got {observation.Length}.", nameof(observation));
        }
    }
}
