using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>window-close: with the gripper closed, come down just right (+x) of the handle bar and push it left.</summary>
public sealed class WindowCloseExpert : ScriptedExpert
{
    private const double Standoff = 0.035;

    public override ControlTask Task => ControlTask.WindowClose;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 handle = observation.FirstObjectPosition;
        Vec3 beside = handle + new Vec3(Standoff, 0, 0);
        Vec3 hand = observation.Hand;
        bool low = Math.Abs(hand.Z - handle.Z) < 0.02;
        if (hand.PlanarDistanceTo(beside) > (low ? 0.03 : 0.015))
        {
            return (new Vec3(beside.X, beside.Y, handle.Z + 0.12), 10, Close);
        }
        if (!low)
        {
            return (beside, 25, Close);
        }
        return (beside - new Vec3(0.1, 0, 0), 25, Close);
    }
}
