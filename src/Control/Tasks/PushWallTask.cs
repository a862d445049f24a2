using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// push-wall (v2 ranges): puck in (-0.05,0.6)..(0.05,0.65), goal in (-0.05,0.85)..(0.05,0.9) behind a fixed wall
/// spanning x -0.08..0.28 at y 0.74 (0.075 high); success within 0.07 (3-D).
/// </summary>
public sealed class PushWallTask(MuJoCoSimulation simulation) : PuckTask(simulation)
{
    /// <summary>Wall centre line and extent, as in scenes/push-wall.xml.</summary>
    public const double WallY = 0.74;
    public const double WallLeftEnd = -0.08;
    public const double WallRightEnd = 0.28;
    public const double WallHalfThickness = 0.01;

    public override ControlTask Task => ControlTask.PushWall;

    protected override Vec3 PuckLow => new(-0.05, 0.6, PuckRestHeight);

    protected override Vec3 PuckHigh => new(0.05, 0.65, PuckRestHeight);

    protected override Vec3 GoalLow => new(-0.05, 0.85, PuckRestHeight);

    protected override Vec3 GoalHigh => new(0.05, 0.9, PuckRestHeight);

    protected override double SuccessDistance => 0.07;
}
