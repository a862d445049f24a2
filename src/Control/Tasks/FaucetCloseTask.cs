using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// faucet-close (v2 rule): faucet base drawn in (-0.1,0.8,0)..(0.1,0.85,0); the lever (length 0.175, at height
/// 0.125) starts pointing at the robot. Goal = base + (-0.175, 0, 0.125), the knob's position when closed; success
/// when the knob is within 0.07 of it. Observation object 1 = knob point and lever orientation.
/// </summary>
public sealed class FaucetCloseTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.FaucetClose, ObservedObject.Site("handleStartClose", orientedAs: "faucet_handle"))
{
    public const double LeverLength = 0.175;
    public const double LeverHeight = 0.125;
    public const double SuccessDistance = 0.07;
    private static readonly Vec3 BaseLow = new(-0.1, 0.8, 0);
    private static readonly Vec3 BaseHigh = new(0.1, 0.85, 0);

    public override Vec3 HandInitialPosition => NearRobotHandStart;

    public Vec3 KnobPosition => ObservedPosition(0);

    public override void Randomize(SeededRandom random)
    {
        Vec3 faucet = random.UniformIn(BaseLow, BaseHigh);
        PlaceFixture("faucet_base", faucet);
        SetJoint("faucet_hinge", 0);
        SetGoal(faucet + new Vec3(-LeverLength, 0, LeverHeight));
    }

    public override bool IsSuccess() => KnobPosition.DistanceTo(Goal) <= SuccessDistance;
}
