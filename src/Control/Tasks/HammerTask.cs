using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// hammer (v2 rule): hammer drawn in (-0.1,0.4)..(0.1,0.5) on the table; the nail box is fixed. Success when the
/// nail has been driven more than 0.09 of its 0.1 travel. Observation: object 1 = hammer body (origin at the
/// handle centre) pose, object 2 = nail head point and nail orientation. Goal = nail head point when fully driven.
/// </summary>
public sealed class HammerTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.Hammer, ObservedObject.Body("hammer"), ObservedObject.Site("nail_head_site", orientedAs: "nail"))
{
    public const double NailTravel = 0.1;
    public const double SuccessDepth = 0.09;
    private static readonly Vec3 HammerLow = new(-0.1, 0.4, 0.02);
    private static readonly Vec3 HammerHigh = new(0.1, 0.5, 0.02);
    private readonly int _nailQpos = simulation.Model.JointQposAddress("nail_slide");

    public override Vec3 HandInitialPosition => NearRobotHandStart;

    public double NailDepth => Simulation.Read(MuJoCoField.Qpos, _nailQpos);

    public override void Randomize(SeededRandom random)
    {
        PlaceFreeBody("hammer_free", random.UniformIn(HammerLow, HammerHigh));
        SetJoint("nail_slide", 0);
        Simulation.Forward();
        SetGoal(ObservedPosition(1) + new Vec3(0, NailTravel, 0));
    }

    public override bool IsSuccess() => NailDepth > SuccessDepth;
}
