using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// push-wall (v2 ranges): puck in (-0.05,0.6)..(0.05,0.65), goal in (-0.05,0.85)..(0.05,0.9) behind a fixed wall
/// spanning x -0.08..0.28 at y 0.74 (0.075 high); success within 0.07 (3-D).
/// </summary>
public sealed class PushWallTask(MuJoCoSimulation simulation) : PuckTask(simulation, ControlTask.PushWall,
    puckBox: OnTable(-0.05, 0.6, 0.05, 0.65), goalBox: OnTable(-0.05, 0.85, 0.05, 0.9), successDistance: 0.07)
{
    /// <summary>Wall centre line and extent, as in scenes/push-wall.xml.</summary>
    public const double WallY = 0.74;
    public const double WallLeftEnd = -0.08;
    public const double WallRightEnd = 0.28;
    public const double WallHalfThickness = 0.01;
}
