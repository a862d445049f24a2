using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>window-close: with the gripper closed, come down just right (+x) of the handle bar and push it left.</summary>
public sealed class WindowCloseExpert() : ScriptedExpert(ControlTask.WindowClose)
{
    private const double Standoff = 0.035;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 handle = observation.FirstObjectPosition;
        Vec3 beside = handle + new Vec3(Standoff, 0, 0);
        return PushFrom(observation, beside, handle.Z, approachHeight: 0.12, end: beside - new Vec3(0.1, 0, 0));
    }
}
