using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control;

/// <summary>Named, read-only access to the parts of one 39-number observation (see <see cref="ObservationLayout"/>).</summary>
public readonly ref struct ObservationView
{
    private readonly ReadOnlySpan<float> _values;

    public ObservationView(ReadOnlySpan<float> values)
    {
        if (values.Length != ObservationLayout.Size)
        {
            throw new ArgumentException($"An observation has {ObservationLayout.Size} numbers; got {values.Length}.", nameof(values));
        }
        _values = values;
    }

    public Vec3 Hand => Vec3.From(_values[ObservationLayout.HandPosition..]);

    public double GripperOpening => _values[ObservationLayout.GripperOpening];

    public Vec3 FirstObjectPosition => Vec3.From(_values[ObservationLayout.FirstObjectPosition..]);

    public ReadOnlySpan<float> FirstObjectQuaternion => _values.Slice(ObservationLayout.FirstObjectQuaternion, 4);

    public Vec3 SecondObjectPosition => Vec3.From(_values[ObservationLayout.SecondObjectPosition..]);

    public ReadOnlySpan<float> SecondObjectQuaternion => _values.Slice(ObservationLayout.SecondObjectQuaternion, 4);

    public Vec3 PreviousHand => Vec3.From(_values[ObservationLayout.PreviousFrame..]);

    public Vec3 Goal => Vec3.From(_values[ObservationLayout.Goal..]);

    /// <summary>A point fixed in object 1's frame (offset in that frame), expressed in world coordinates.</summary>
    public Vec3 FirstObjectPoint(Vec3 localOffset)
    {
        ReadOnlySpan<float> q = FirstObjectQuaternion;
        return FirstObjectPosition + localOffset.RotatedBy(q[0], q[1], q[2], q[3]);
    }
}
