using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// hammer (v2 rule): hammer drawn in (-0.1,0.4)..(0.1,0.5) on the table; the nail box is fixed. Success when the
/// nail has been driven more than 0.09 of its 0.1 travel. Observation: object 1 = hammer body (origin at the
/// handle centre) pose, object 2 = nail head point and nail orientation. Goal = nail head point when fully driven.
/// </summary>
public sealed class HammerTask : ManipulationTask
{
    public const double NailTravel = 0.1;
    public const double SuccessDepth = 0.09;
    private static readonly Vec3 HammerLow = new(-0.1, 0.4, 0.02);
    private static readonly Vec3 HammerHigh = new(0.1, 0.5, 0.02);
    private readonly int _hammer;
    private readonly int _nail;
    private readonly int _nailHead;
    private readonly int _nailQpos;

    public HammerTask(MuJoCoSimulation simulation)
        : base(simulation)
    {
        _hammer = BodyId("hammer");
        _nail = BodyId("nail");
        _nailHead = SiteId("nail_head_site");
        _nailQpos = Model.JointQposAddress("nail_slide");
    }

    public override ControlTask Task => ControlTask.Hammer;

    public override Vec3 HandInitialPosition => new(0, 0.4, 0.2);

    public double NailDepth => Simulation.Read(MuJoCoField.Qpos, _nailQpos);

    public override void Randomize(SeededRandom random)
    {
        PlaceFreeBody("hammer_free", random.UniformIn(HammerLow, HammerHigh));
        SetJoint("nail_slide", 0);
        Simulation.Forward();
        SetGoal(SitePosition(_nailHead) + new Vec3(0, NailTravel, 0));
    }

    public override void WriteObjects(Span<double> objects)
    {
        WriteBodyPose(_hammer, objects[..7]);
        WriteBodyPose(_nail, objects[7..14]);
        Simulation.Read(MuJoCoField.SiteWorldPosition, 3 * _nailHead, objects[7..10]);
    }

    public override bool IsSuccess() => NailDepth > SuccessDepth;
}
