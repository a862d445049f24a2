using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// shelf-place: grasp the block, lift it above the shelf board, line up with the shelf in x while still in front of
/// it, slide in (+y) over the goal and lower the block onto the board.
/// </summary>
public sealed class ShelfPlaceExpert : ScriptedExpert
{
    private const double BlockWidth = 0.04;
    private const double CarryClearance = 0.035;

    public override ControlTask Task => ControlTask.ShelfPlace;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 block = observation.FirstObjectPosition;
        if (!IsHolding(observation, block, BlockWidth))
        {
            return ReachAndGrasp(observation, block, approachHeight: 0.1);
        }
        Vec3 hand = observation.Hand;
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
        return (hand + (blockTarget - block), 15, Close);
    }
}
