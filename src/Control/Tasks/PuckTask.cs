using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// Shared mechanics of the puck tasks (push, push-back, push-wall): a free cylinder (radius 0.02, resting centre
/// height 0.02) drawn uniformly in a box, a goal drawn in another box at least <see cref="MinimumSeparation"/> away
/// in the plane, and success when the puck centre is within <see cref="SuccessDistance"/> of the goal (3-D).
/// Observation object 1 = puck position and quaternion.
/// </summary>
public abstract class PuckTask : ManipulationTask
{
    public const double PuckRestHeight = 0.02;
    /// <summary>Diameter of the puck cylinder (scenes/push*.xml), the width a gripper closes on.</summary>
    public const double PuckDiameter = 0.04;
    private const int MaxGoalDraws = 1000;
    private readonly int _puck;
    private readonly (Vec3 Low, Vec3 High) _puckBox;
    private readonly (Vec3 Low, Vec3 High) _goalBox;

    /// <param name="puckBox">Box the puck's start is drawn in.</param>
    /// <param name="goalBox">Box the goal is drawn in.</param>
    /// <param name="successDistance">Greatest puck-to-goal distance that counts as success.</param>
    /// <param name="minimumSeparation">Least planar distance between the puck's start and the goal (0 = no constraint).</param>
    protected PuckTask(MuJoCoSimulation simulation, ControlTask task, (Vec3 Low, Vec3 High) puckBox, (Vec3 Low, Vec3 High) goalBox,
        double successDistance, double minimumSeparation = 0.0)
        : base(simulation, task)
    {
        _puck = BodyId("puck");
        _puckBox = puckBox;
        _goalBox = goalBox;
        SuccessDistance = successDistance;
        MinimumSeparation = minimumSeparation;
    }

    public double SuccessDistance { get; }

    public double MinimumSeparation { get; }

    /// <summary>The box x in [xLow, xHigh), y in [yLow, yHigh) at the puck's resting height.</summary>
    protected static (Vec3 Low, Vec3 High) OnTable(double xLow, double yLow, double xHigh, double yHigh) =>
        (new Vec3(xLow, yLow, PuckRestHeight), new Vec3(xHigh, yHigh, PuckRestHeight));

    public Vec3 PuckPosition => BodyPosition(_puck);

    public override void Randomize(SeededRandom random)
    {
        Vec3 puck = random.UniformIn(_puckBox.Low, _puckBox.High);
        Vec3 goal = random.UniformIn(_goalBox.Low, _goalBox.High);
        for (int draw = 0; draw < MaxGoalDraws && goal.PlanarDistanceTo(puck) < MinimumSeparation; draw++)
        {
            goal = random.UniformIn(_goalBox.Low, _goalBox.High);
        }
        PlaceFreeBody("puck_free", puck);
        SetGoal(goal);
    }

    public override void WriteObjects(Span<double> objects) => WriteBodyPose(_puck, objects[..7]);

    public override bool IsSuccess() => PuckPosition.DistanceTo(Goal) <= SuccessDistance;
}
