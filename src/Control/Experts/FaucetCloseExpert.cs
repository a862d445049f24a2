using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// faucet-close: with the gripper closed, come down just behind the knob (relative to its closing motion) and push
/// it along the arc. The closing direction is the lever's local -x axis, read from the lever quaternion.
/// </summary>
public sealed class FaucetCloseExpert() : ScriptedExpert(ControlTask.FaucetClose)
{
    private const double Standoff = 0.035;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 knob = observation.FirstObjectPosition;
        Vec3 tangent = observation.FirstObjectPoint(new Vec3(-1, 0, 0)) - knob;
        return PushFrom(observation, start: knob - tangent * Standoff, knob.Z, approachHeight: 0.08, end: knob + tangent * 0.05);
    }
}
