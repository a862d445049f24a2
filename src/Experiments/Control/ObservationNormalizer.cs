using NativeTrustRegion.Control;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// The fixed, task-independent map of raw 39-number observations to the policy's input scale: every number is mapped
/// affinely from a box [low, high] to [−1, 1]. Positions (hand, both objects, their previous-step copies and the goal)
/// use Meta-World's hand-space bounds x ∈ [−0.525, 0.525], y ∈ [0.348, 1.025], z ∈ [−0.0525, 0.7]; the gripper opening
/// uses [0, 1]; quaternion components are already in [−1, 1] and pass unchanged. Values outside a box are not clipped
/// (e.g. the zeros of a missing second object map to about −2 in y).
/// <para>
/// Fixed bounds rather than statistics of the first task's demonstrations: the first task leaves many numbers
/// constant (second object, quaternions), whose statistics would blow up later tasks' inputs; a fixed box keeps the
/// meaning of the policy's input identical across the whole stream.
/// </para>
/// </summary>
public sealed class ObservationNormalizer
{
    private static readonly (double Low, double High) X = (-0.525, 0.525);
    private static readonly (double Low, double High) Y = (0.348, 1.025);
    private static readonly (double Low, double High) Z = (-0.0525, 0.7);

    private readonly float[] _scale = new float[ObservationLayout.Size];
    private readonly float[] _offset = new float[ObservationLayout.Size];

    private ObservationNormalizer()
    {
        for (var i = 0; i < ObservationLayout.Size; i++)
        {
            Set(i, -1, 1);
        }
        foreach (var frame in new[] { 0, ObservationLayout.PreviousFrame })
        {
            SetPosition(frame + ObservationLayout.HandPosition);
            Set(frame + ObservationLayout.GripperOpening, 0, 1);
            SetPosition(frame + ObservationLayout.FirstObjectPosition);
            SetPosition(frame + ObservationLayout.SecondObjectPosition);
        }
        SetPosition(ObservationLayout.Goal);
    }

    /// <summary>The map every control run uses.</summary>
    public static ObservationNormalizer MetaWorldBounds { get; } = new();

    /// <summary>The normalised value of observation number <paramref name="index"/> (0 … 38).</summary>
    public float Normalize(int index, float value) => value * _scale[index] + _offset[index];

    /// <summary>Normalises a flattened history (whole observations of 39 numbers, oldest first) into <paramref name="destination"/>.</summary>
    public void NormalizeHistory(ReadOnlySpan<float> history, Span<float> destination)
    {
        if (history.Length % ObservationLayout.Size != 0 || destination.Length != history.Length)
        {
            throw new ArgumentException(
                $"an observation history is a whole number of {ObservationLayout.Size}-number observations with a destination of the same length; got {history.Length} and {destination.Length} numbers");
        }
        for (var i = 0; i < history.Length; i++)
        {
            var k = i % ObservationLayout.Size;
            destination[i] = history[i] * _scale[k] + _offset[k];
        }
    }

    private void SetPosition(int first)
    {
        Set(first, X.Low, X.High);
        Set(first + 1, Y.Low, Y.High);
        Set(first + 2, Z.Low, Z.High);
    }

    private void Set(int index, double low, double high)
    {
        _scale[index] = (float)(2 / (high - low));
        _offset[index] = (float)(-1 - 2 * low / (high - low));
    }
}
