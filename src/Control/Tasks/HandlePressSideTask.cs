using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// handle-press-side (v2 rule): box drawn in (-0.35,0.65,0)..(-0.25,0.75,0); its lever sticks out of the +x side and
/// slides down 0.08. Goal = the lever's press point when fully down ("goalPress"); success when the press point is
/// within 0.02 of the goal in z. Observation object 1 = press point ("handleStart") and lever orientation.
/// </summary>
public sealed class HandlePressSideTask : ManipulationTask
{
    public const double SuccessHeightTolerance = 0.02;
    private static readonly Vec3 BoxLow = new(-0.35, 0.65, 0);
    private static readonly Vec3 BoxHigh = new(-0.25, 0.75, 0);
    private readonly int _box;
    private readonly int _lever;
    private readonly int _pressPoint;
    private readonly int _goalPress;

    public HandlePressSideTask(MuJoCoSimulation simulation)
        : base(simulation, ControlTask.HandlePressSide)
    {
        _box = BodyId("press_box");
        _lever = BodyId("press_handle");
        _pressPoint = SiteId("handleStart");
        _goalPress = SiteId("goalPress");
    }

    public Vec3 PressPoint => SitePosition(_pressPoint);

    public override void Randomize(SeededRandom random)
    {
        PlaceFixture(_box, random.UniformIn(BoxLow, BoxHigh));
        SetJoint("press_slide", 0);
        Simulation.Forward();
        SetGoal(SitePosition(_goalPress));
    }

    public override void WriteObjects(Span<double> objects)
    {
        WriteSitePose(_pressPoint, _lever, objects[..7]);
    }

    public override bool IsSuccess() => Math.Abs(PressPoint.Z - Goal.Z) <= SuccessHeightTolerance;
}
