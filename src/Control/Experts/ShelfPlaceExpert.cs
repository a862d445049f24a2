using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// shelf-place: grasp the block, lift it above the shelf board, line up with the shelf in x while still in front of
/// it, slide in (+y) over the goal and lower the block onto the board.
/// </summary>
public sealed class ShelfPlaceExpert() : GraspingExpert(ControlTask.ShelfPlace, objectWidth: 0.04, approachHeight: 0.1)
{
    private const double CarryClearance = 0.035;

    protected override Vec3 GraspPoint(ObservationView observation) => observation.FirstObjectPosition;

    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 block)
    {
        Vec3 goal = observation.Goal;
        double carry = goal.Z + CarryClearance;
        Vec3 blockTarget;
        if (block.Y < goal.Y - 0.13 && (block.Z < carry - 0.02 || Math.Abs(block.X - goal.X) > 0.015))
        {
            // In front of the shelf: rise to carrying height and line up in x, moving forward only a little.
            blockTarget = new Vec3(goal.X, Math.Min(goal.Y - 0.14, block.Y + 0.03), carry);
        }
        else if (block.PlanarDistanceTo(goal) > 0.015)
        {
            blockTarget = new Vec3(goal.X, goal.Y, carry);
        }
        else
        {
            blockTarget = goal + new Vec3(0, 0, 0.005);
        }
        return CarryHeld(observation, block, blockTarget, 15);
    }
}
