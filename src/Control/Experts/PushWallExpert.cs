using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Tasks;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// push-wall: grasp the puck, drag it left (-x) in front of the wall until it clears the wall's left end, then
/// forward (+y) past the wall, then to the goal.
/// </summary>
public sealed class PushWallExpert() : PuckGraspingExpert(ControlTask.PushWall)
{
    /// <summary>Puck x left of which the puck and the fingers clear the wall's left end.</summary>
    private const double ClearX = PushWallTask.WallLeftEnd - 0.045;
    /// <summary>Puck y beyond which the puck and the fingers are behind the wall.</summary>
    private const double BehindWallY = PushWallTask.WallY + PushWallTask.WallHalfThickness + 0.04;
    /// <summary>Puck y that keeps the puck and the fingers in front of the wall.</summary>
    private const double FrontOfWallY = PushWallTask.WallY - PushWallTask.WallHalfThickness - 0.05;

    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 grasp)
    {
        Vec3 puck = observation.FirstObjectPosition;
        Vec3 puckTarget;
        if (puck.Y < BehindWallY)
        {
            puckTarget = puck.X > ClearX
                ? new Vec3(ClearX - 0.02, Math.Min(puck.Y, FrontOfWallY), CarryHeight)
                : new Vec3(ClearX - 0.02, BehindWallY + 0.03, CarryHeight);
        }
        else
        {
            Vec3 goal = observation.Goal;
            puckTarget = new Vec3(goal.X, goal.Y, CarryHeight);
        }
        return CarryHeld(observation, grasp, puckTarget, 10);
    }
}
