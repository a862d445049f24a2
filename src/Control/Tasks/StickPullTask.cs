using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// stick-pull: stick drawn in (-0.15,0.55)..(-0.05,0.65) (shifted 0.05 in -x from v2 so the stick never overlaps
/// the container's loop), container base fixed at (0.22, 0.69), goal for the loop centre in (0.35,0.45)..(0.45,0.55)
/// at loop height. Success (v2 rule): loop centre within 0.12 of the goal and the stick inserted (tip x past the
/// loop centre, |dy| ≤ 0.04, |dz| ≤ 0.06). Observation: object 1 = stick pose (origin = grasp point, tip 0.17 along
/// the stick's x axis), object 2 = loop centre ("insertion" site) and container orientation.
/// </summary>
public sealed class StickPullTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.StickPull, ObservedObject.Body("stick"), ObservedObject.Site("insertion", orientedAs: "container"))
{
    /// <summary>Tip of the stick in the stick's frame.</summary>
    public static readonly Vec3 TipOffset = new(0.17, 0, 0);
    public const double SuccessDistance = 0.12;
    private static readonly Vec3 StickLow = new(-0.15, 0.55, 0.01);
    private static readonly Vec3 StickHigh = new(-0.05, 0.65, 0.01);
    private static readonly Vec3 GoalLow = new(0.35, 0.45, 0.05);
    private static readonly Vec3 GoalHigh = new(0.45, 0.55, 0.05);
    private readonly int _stickTip = simulation.Model.RequireId(MuJoCoObjectType.Site, "stick_tip");

    public Vec3 LoopCentre => ObservedPosition(1);

    public Vec3 StickTip => SitePosition(_stickTip);

    public bool IsStickInserted
    {
        get
        {
            Vec3 tip = StickTip;
            Vec3 loop = LoopCentre;
            return tip.X >= loop.X && Math.Abs(tip.Y - loop.Y) <= 0.04 && Math.Abs(tip.Z - loop.Z) <= 0.06;
        }
    }

    public override void Randomize(SeededRandom random)
    {
        PlaceFreeBody("stick_free", random.UniformIn(StickLow, StickHigh));
        SetJoint("container_x", 0);
        SetJoint("container_y", 0);
        SetGoal(random.UniformIn(GoalLow, GoalHigh));
    }

    public override bool IsSuccess() => IsStickInserted && LoopCentre.DistanceTo(Goal) <= SuccessDistance;
}
