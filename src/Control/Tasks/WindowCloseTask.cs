using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// window-close (v2 rule): window frame drawn in (0,0.75,0)..(0,0.9,0); the pane starts open (slide 0.2, to +x).
/// Goal = handle position when closed; success when the handle is within 0.05 of the goal in x.
/// Observation object 1 = handle point ("handleCloseStart") and pane orientation.
/// </summary>
public sealed class WindowCloseTask : ManipulationTask
{
    public const double OpenPosition = 0.2;
    public const double SuccessDistance = 0.05;
    private static readonly Vec3 FrameLow = new(0, 0.75, 0);
    private static readonly Vec3 FrameHigh = new(0, 0.9, 0);
    private readonly int _frame;
    private readonly int _pane;
    private readonly int _handle;

    public WindowCloseTask(MuJoCoSimulation simulation)
        : base(simulation, ControlTask.WindowClose)
    {
        _frame = BodyId("window_frame");
        _pane = BodyId("window_pane");
        _handle = SiteId("handleCloseStart");
    }

    public override Vec3 HandInitialPosition => NearRobotHandStart;

    public Vec3 HandlePosition => SitePosition(_handle);

    public override void Randomize(SeededRandom random)
    {
        PlaceFixture(_frame, random.UniformIn(FrameLow, FrameHigh));
        SetJoint("window_slide", 0);
        Simulation.Forward();
        Vec3 closedHandle = SitePosition(_handle);
        SetJoint("window_slide", OpenPosition);
        SetGoal(closedHandle);
    }

    public override void WriteObjects(Span<double> objects)
    {
        WriteSitePose(_handle, _pane, objects[..7]);
    }

    public override bool IsSuccess() => Math.Abs(HandlePosition.X - Goal.X) <= SuccessDistance;
}
