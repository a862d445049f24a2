using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// faucet-close: with the gripper closed, come down just behind the knob (relative to its closing motion) and push
/// it along the arc. The closing direction is the lever's local -x axis, read from the lever quaternion.
/// </summary>
public sealed class FaucetCloseExpert : ScriptedExpert
{
    private const double Standoff = 0.035;

    public override ControlTask Task => ControlTask.FaucetClose;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 knob = observation.FirstObjectPosition;
        Vec3 tangent = observation.FirstObjectPoint(new Vec3(-1, 0, 0)) - knob;
        Vec3 behind = knob - tangent * Standoff;
        Vec3 hand = observation.Hand;
        bool low = Math.Abs(hand.Z - knob.Z) < 0.02;
        if (hand.PlanarDistanceTo(behind) > (low ? 0.03 : 0.015))
        {
            return (new Vec3(behind.X, behind.Y, knob.Z + 0.08), 10, Close);
        }
        if (!low)
        {
            return (behind, 25, Close);
        }
        return (knob + tangent * 0.05, 25, Close);
    }
}
