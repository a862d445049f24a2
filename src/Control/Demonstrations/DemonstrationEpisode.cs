namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>
/// One recorded episode: <see cref="Length"/> steps, where observation t is what the policy saw before taking
/// action t. Arrays are row-major: observations Length × 39, actions Length × 4.
/// </summary>
public sealed class DemonstrationEpisode
{
    public DemonstrationEpisode(int seed, bool success, float[] observations, float[] actions)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(actions);
        if (observations.Length % ObservationLayout.Size != 0)
        {
            throw new ArgumentException($"Observations must hold a multiple of {ObservationLayout.Size} floats; got {observations.Length}.", nameof(observations));
        }
        int length = observations.Length / ObservationLayout.Size;
        if (actions.Length != length * ObservationLayout.ActionSize)
        {
            throw new ArgumentException(
                $"An episode of {length} observations needs {length * ObservationLayout.ActionSize} action floats; got {actions.Length}.", nameof(actions));
        }
        Seed = seed;
        Success = success;
        Observations = observations;
        Actions = actions;
    }

    /// <summary>Seed the episode was reset with.</summary>
    public int Seed { get; }

    /// <summary>Whether the task's success condition was reached.</summary>
    public bool Success { get; }

    public int Length => Observations.Length / ObservationLayout.Size;

    /// <summary>Length × 39 floats.</summary>
    public float[] Observations { get; }

    /// <summary>Length × 4 floats.</summary>
    public float[] Actions { get; }

    public ReadOnlySpan<float> Observation(int step) => Observations.AsSpan(step * ObservationLayout.Size, ObservationLayout.Size);

    public ReadOnlySpan<float> Action(int step) => Actions.AsSpan(step * ObservationLayout.ActionSize, ObservationLayout.ActionSize);
}
