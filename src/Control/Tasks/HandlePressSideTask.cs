using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// handle-press-side (v2 rule): box drawn in (-0.35,0.65,0)..(-0.25,0.75,0); its lever sticks out of the +x side and
/// slides down 0.08. Goal = the lever's press point when fully down ("goalPress"); success when the press point is
/// within 0.02 of the goal in z. Observation object 1 = press point ("handleStart") and lever orientation.
/// </summary>
public sealed class HandlePressSideTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.HandlePressSide, ObservedObject.Site("handleStart", orientedAs: "press_handle"))
{
    public const double SuccessHeightTolerance = 0.02;
    private static readonly Vec3 BoxLow = new(-0.35, 0.65, 0);
    private static readonly Vec3 BoxHigh = new(-0.25, 0.75, 0);

    public Vec3 PressPoint => ObservedPosition(0);

    public override void Randomize(SeededRandom random)
    {
        PlaceFixture("press_box", random.UniformIn(BoxLow, BoxHigh));
        SetJoint("press_slide", 0);
        Simulation.Forward();
        SetGoal(SitePosition(SiteId("goalPress")));
    }

    public override bool IsSuccess() => Math.Abs(PressPoint.Z - Goal.Z) <= SuccessHeightTolerance;
}
