using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// Shared mechanics of the puck tasks (push, push-back, push-wall): a free cylinder (radius 0.02, resting centre
/// height 0.02) drawn uniformly in a box, a goal drawn in another box at least <see cref="MinimumSeparation"/> away
/// in the plane, and success when the puck centre is within <see cref="SuccessDistance"/> of the goal (3-D).
/// Observation object 1 = puck position and quaternion.
/// </summary>
/// <param name="puckBox">Box the puck's start is drawn in.</param>
/// <param name="goalBox">Box the goal is drawn in.</param>
/// <param name="successDistance">Greatest puck-to-goal distance that counts as success.</param>
/// <param name="minimumSeparation">Least planar distance between the puck's start and the goal (0 = no constraint).</param>
public abstract class PuckTask(MuJoCoSimulation simulation, ControlTask task, (Vec3 Low, Vec3 High) puckBox, (Vec3 Low, Vec3 High) goalBox,
    double successDistance, double minimumSeparation = 0.0)
    : ManipulationTask(simulation, task, ObservedObject.Body("puck"))
{
    public const double PuckRestHeight = 0.02;
    /// <summary>Diameter of the puck cylinder (scenes/push*.xml), the width a gripper closes on.</summary>
    public const double PuckDiameter = 0.04;
    private const int MaxGoalDraws = 1000;

    public double SuccessDistance { get; } = successDistance;

    public double MinimumSeparation { get; } = minimumSeparation;

    public Vec3 PuckPosition => ObservedPosition(0);

    /// <summary>The box x in [xLow, xHigh), y in [yLow, yHigh) at the puck's resting height.</summary>
    protected static (Vec3 Low, Vec3 High) OnTable(double xLow, double yLow, double xHigh, double yHigh) =>
        (new Vec3(xLow, yLow, PuckRestHeight), new Vec3(xHigh, yHigh, PuckRestHeight));

    public override void Randomize(SeededRandom random)
    {
        Vec3 puck = random.UniformIn(puckBox.Low, puckBox.High);
        Vec3 goal = random.UniformIn(goalBox.Low, goalBox.High);
        for (int draw = 0; draw < MaxGoalDraws && goal.PlanarDistanceTo(puck) < MinimumSeparation; draw++)
        {
            goal = random.UniformIn(goalBox.Low, goalBox.High);
        }
        PlaceFreeBody("puck_free", puck);
        SetGoal(goal);
    }

    public override bool IsSuccess() => PuckPosition.DistanceTo(Goal) <= SuccessDistance;
}
