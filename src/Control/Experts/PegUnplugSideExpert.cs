using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>peg-unplug-side: grasp the peg's outer part from above and pull it out along +x to the goal.</summary>
public sealed class PegUnplugSideExpert() : GraspingExpert(ControlTask.PegUnplugSide, objectWidth: 0.024, approachHeight: 0.15)
{
    protected override Vec3 GraspPoint(ObservationView observation) => observation.FirstObjectPosition;

    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 peg) =>
        CarryHeld(observation, peg, observation.Goal, 25);
}
