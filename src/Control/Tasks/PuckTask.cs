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
    private const int MaxGoalDraws = 1000;
    private readonly int _puck;

    protected PuckTask(MuJoCoSimulation simulation)
        : base(simulation)
    {
        _puck = BodyId("puck");
    }

    protected abstract Vec3 PuckLow { get; }

    protected abstract Vec3 PuckHigh { get; }

    protected abstract Vec3 GoalLow { get; }

    protected abstract Vec3 GoalHigh { get; }

    protected abstract double SuccessDistance { get; }

    /// <summary>Least planar distance between the puck's start and the goal (0 = no constraint).</summary>
    protected virtual double MinimumSeparation => 0.0;

    public Vec3 PuckPosition => BodyPosition(_puck);

    public override void Randomize(SeededRandom random)
    {
        Vec3 puck = random.UniformIn(PuckLow, PuckHigh);
        Vec3 goal = random.UniformIn(GoalLow, GoalHigh);
        for (int draw = 0; draw < MaxGoalDraws && goal.PlanarDistanceTo(puck) < MinimumSeparation; draw++)
        {
            goal = random.UniformIn(GoalLow, GoalHigh);
        }
        PlaceFreeBody("puck_free", puck);
        SetGoal(goal);
    }

    public override void WriteObjects(Span<double> objects) => WriteBodyPose(_puck, objects[..7]);

    public override bool IsSuccess() => PuckPosition.DistanceTo(Goal) <= SuccessDistance;
}
