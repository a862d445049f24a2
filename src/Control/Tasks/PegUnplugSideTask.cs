using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// peg-unplug-side (v2 rule): socket drawn in (-0.25,0.6,0)..(-0.15,0.8,0) with its opening facing +x; the free peg
/// starts 0.08 deep in it. Goal = the peg's grasp point ("pegEnd") moved 0.15 along +x; success within 0.07 (3-D).
/// Observation object 1 = peg pose (origin = "pegEnd").
/// </summary>
public sealed class PegUnplugSideTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.PegUnplugSide, ObservedObject.Body("peg"))
{
    public const double PullDistance = 0.15;
    public const double SuccessDistance = 0.07;
    /// <summary>Peg grasp point relative to the socket origin when plugged in.</summary>
    public static readonly Vec3 PluggedOffset = new(0.08, 0, 0.047);
    private static readonly Vec3 SocketLow = new(-0.25, 0.6, 0);
    private static readonly Vec3 SocketHigh = new(-0.15, 0.8, 0);

    public Vec3 PegPosition => ObservedPosition(0);

    public override void Randomize(SeededRandom random)
    {
        Vec3 socket = random.UniformIn(SocketLow, SocketHigh);
        PlaceFixture("socket", socket);
        Vec3 peg = socket + PluggedOffset;
        PlaceFreeBody("peg_free", peg);
        SetGoal(peg + new Vec3(PullDistance, 0, 0));
    }

    public override bool IsSuccess() => PegPosition.DistanceTo(Goal) <= SuccessDistance;
}
