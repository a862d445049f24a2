using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// Task-specific part of a <see cref="ManipulationEnv"/>: where the hand starts, how objects and the goal are drawn
/// for an episode, which poses fill the observation's object block, and when the episode counts as a success.
/// A task object is bound to one simulation; it resolves its MuJoCo ids in its constructor.
/// </summary>
public abstract class ManipulationTask
{
    private readonly int _goalSite;
    private readonly (MuJoCoField PositionField, int Point, int OrientationBody)[] _observed;

    /// <param name="observed">The objects the observation reports, object 1 first (at most two).</param>
    protected ManipulationTask(MuJoCoSimulation simulation, ControlTask task, params ObservedObject[] observed)
    {
        if (observed.Length > ObservationLayout.ObjectBlockSize / ObjectPoseSize)
        {
            throw new ArgumentException($"The observation holds at most two objects; task {task.ToName()} declared {observed.Length}.", nameof(observed));
        }
        Simulation = simulation;
        Task = task;
        _goalSite = Model.RequireId(MuJoCoObjectType.Site, "goal");
        _observed = observed.Select(o => (
            o.PointType == MuJoCoObjectType.Site ? MuJoCoField.SiteWorldPosition : MuJoCoField.BodyWorldPosition,
            Model.RequireId(o.PointType, o.Point),
            BodyId(o.OrientationBody))).ToArray();
    }

    /// <summary>Numbers of one object's pose: position (3) and quaternion (4).</summary>
    private const int ObjectPoseSize = 7;

    public ControlTask Task { get; }

    /// <summary>Hand start of the tasks whose objects stand far back on the table (closer to the robot than the default).</summary>
    protected static readonly Vec3 NearRobotHandStart = new(0, 0.4, 0.2);

    /// <summary>Hand (TCP) position at the start of every episode.</summary>
    public virtual Vec3 HandInitialPosition => new(0, 0.6, 0.2);

    /// <summary>Lower corner of the box the mocap target (hand command) is clipped to.</summary>
    public virtual Vec3 HandLow => new(-0.5, 0.40, 0.015);

    /// <summary>Upper corner of the box the mocap target (hand command) is clipped to.</summary>
    public virtual Vec3 HandHigh => new(0.5, 1.0, 0.5);

    /// <summary>Goal of the current episode (observation [36:39]).</summary>
    public Vec3 Goal { get; private set; }

    protected MuJoCoSimulation Simulation { get; }

    protected MuJoCoModel Model => Simulation.Model;

    /// <summary>
    /// Draws this episode's object placement and goal. Called right after <c>mj_resetData</c>; writes qpos and
    /// model fixture positions (body_pos) and must call <see cref="SetGoal"/>. The environment runs
    /// <c>mj_forward</c> afterwards.
    /// </summary>
    public abstract void Randomize(SeededRandom random);

    /// <summary>
    /// Fills the 14-number object block with the observed objects: object 1 position and quaternion (w,x,y,z), then
    /// object 2; the numbers of an object the task does not declare are left as they are.
    /// </summary>
    public void WriteObjects(Span<double> objects)
    {
        for (int i = 0; i < _observed.Length; i++)
        {
            var (positionField, point, orientationBody) = _observed[i];
            Span<double> pose = objects.Slice(i * ObjectPoseSize, ObjectPoseSize);
            Simulation.Read(positionField, 3 * point, pose[..3]);
            Simulation.Read(MuJoCoField.BodyWorldQuaternion, 4 * orientationBody, pose[3..7]);
        }
    }

    /// <summary>Whether the task's success condition holds in the current state.</summary>
    public abstract bool IsSuccess();

    /// <summary>Builds the task object for a scene compiled from <see cref="Scenes.SceneLibrary.ComposeScene"/>.</summary>
    public static ManipulationTask Create(ControlTask task, MuJoCoSimulation simulation) => task switch
    {
        ControlTask.Hammer => new HammerTask(simulation),
        ControlTask.PushWall => new PushWallTask(simulation),
        ControlTask.FaucetClose => new FaucetCloseTask(simulation),
        ControlTask.PushBack => new PushBackTask(simulation),
        ControlTask.StickPull => new StickPullTask(simulation),
        ControlTask.HandlePressSide => new HandlePressSideTask(simulation),
        ControlTask.Push => new PushTask(simulation),
        ControlTask.ShelfPlace => new ShelfPlaceTask(simulation),
        ControlTask.WindowClose => new WindowCloseTask(simulation),
        ControlTask.PegUnplugSide => new PegUnplugSideTask(simulation),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not a CW10 task."),
    };

    protected void SetGoal(Vec3 goal)
    {
        Goal = goal;
        Simulation.WriteVec3(MuJoCoField.SitePosition, _goalSite, goal);
    }

    protected int BodyId(string name) => Model.RequireId(MuJoCoObjectType.Body, name);

    protected int SiteId(string name) => Model.RequireId(MuJoCoObjectType.Site, name);

    protected Vec3 BodyPosition(int body) => Simulation.ReadVec3(MuJoCoField.BodyWorldPosition, body);

    protected Vec3 SitePosition(int site) => Simulation.ReadVec3(MuJoCoField.SiteWorldPosition, site);

    /// <summary>Position of observed object <paramref name="index"/> (0 = object 1).</summary>
    protected Vec3 ObservedPosition(int index) => Simulation.ReadVec3(_observed[index].PositionField, _observed[index].Point);

    /// <summary>Moves a fixed body (one without joints) by rewriting the model's body_pos.</summary>
    protected void PlaceFixture(string body, Vec3 position) => Simulation.WriteVec3(MuJoCoField.BodyPosition, BodyId(body), position);

    /// <summary>Sets a free joint's pose (position and identity orientation unless given) and zero velocity.</summary>
    protected void PlaceFreeBody(string freeJoint, Vec3 position, double qw = 1, double qx = 0, double qy = 0, double qz = 0)
    {
        int qpos = Model.JointQposAddress(freeJoint);
        int dof = Model.JointDofAddress(freeJoint);
        ReadOnlySpan<double> pose = [position.X, position.Y, position.Z, qw, qx, qy, qz];
        Simulation.Write(MuJoCoField.Qpos, qpos, pose);
        Simulation.Write(MuJoCoField.Qvel, dof, stackalloc double[6]);
    }

    /// <summary>Sets a hinge or slide joint's coordinate and zero velocity.</summary>
    protected void SetJoint(string joint, double value)
    {
        Simulation.Write(MuJoCoField.Qpos, Model.JointQposAddress(joint), value);
        Simulation.Write(MuJoCoField.Qvel, Model.JointDofAddress(joint), 0.0);
    }
}
