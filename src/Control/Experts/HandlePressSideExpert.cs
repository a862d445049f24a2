using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>handle-press-side: with the gripper closed, come over the lever's press point and push straight down.</summary>
public sealed class HandlePressSideExpert() : ScriptedExpert(ControlTask.HandlePressSide)
{
    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 press = observation.FirstObjectPosition;
        Vec3 hand = observation.Hand;
        if (hand.PlanarDistanceTo(press) > 0.015)
        {
            return (new Vec3(press.X, press.Y, press.Z + 0.1), 10, Close);
        }
        return (press - new Vec3(0, 0, 0.5), 25, Close);
    }
}
