using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// window-close (v2 rule): window frame drawn in (0,0.75,0)..(0,0.9,0); the pane starts open (slide 0.2, to +x).
/// Goal = handle position when closed; success when the handle is within 0.05 of the goal in x.
/// Observation object 1 = handle point ("handleCloseStart") and pane orientation.
/// </summary>
public sealed class WindowCloseTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.WindowClose, ObservedObject.Site("handleCloseStart", orientedAs: "window_pane"))
{
    public const double OpenPosition = 0.2;
    public const double SuccessDistance = 0.05;
    private static readonly Vec3 FrameLow = new(0, 0.75, 0);
    private static readonly Vec3 FrameHigh = new(0, 0.9, 0);

    public override Vec3 HandInitialPosition => NearRobotHandStart;

    public Vec3 HandlePosition => ObservedPosition(0);

    public override void Randomize(SeededRandom random)
    {
        PlaceFixture("window_frame", random.UniformIn(FrameLow, FrameHigh));
        SetJoint("window_slide", 0);
        Simulation.Forward();
        Vec3 closedHandle = HandlePosition;
        SetJoint("window_slide", OpenPosition);
        SetGoal(closedHandle);
    }

    public override bool IsSuccess() => Math.Abs(HandlePosition.X - Goal.X) <= SuccessDistance;
}
