using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Tasks;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// stick-pull: grasp the stick at its grasp point, lift it to loop height, line the tip up in front of the loop,
/// push it through, then drag the container so the loop centre moves to the goal. Targets for the tip are turned
/// into hand targets through the tip position computed from the stick pose.
/// </summary>
public sealed class StickPullExpert() : GraspingExpert(ControlTask.StickPull, objectWidth: 0.02, approachHeight: 0.1)
{
    protected override Vec3 GraspPoint(ObservationView observation) => observation.FirstObjectPosition;

    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 grasp)
    {
        Vec3 hand = observation.Hand;
        Vec3 tip = observation.FirstObjectPoint(StickPullTask.TipOffset);
        Vec3 loop = observation.SecondObjectPosition;
        bool inserted = tip.X > loop.X + 0.01 && Math.Abs(tip.Y - loop.Y) < 0.03 && Math.Abs(tip.Z - loop.Z) < 0.03;
        if (!inserted)
        {
            bool lined = Math.Abs(tip.Y - loop.Y) < 0.01 && Math.Abs(tip.Z - loop.Z) < 0.012;
            Vec3 tipTarget = lined ? loop + new Vec3(0.025, 0, 0) : loop - new Vec3(0.05, 0, 0);
            return CarryHeld(observation, tip, tipTarget, 15);
        }
        Vec3 goal = observation.Goal;
        return (hand + (goal - loop) + new Vec3(0.01, 0, 0), 10, Close);
    }
}
