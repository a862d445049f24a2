using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Scenes;
using NativeTrustRegion.Control.Tasks;

namespace NativeTrustRegion.Control;

/// <summary>
/// One CW10 task as a Meta-World-v2-style environment on MuJoCo 2.2.2.
/// <list type="bullet">
/// <item>Observation: 39 floats, see <see cref="ObservationLayout"/>.</item>
/// <item>Action: 4 floats, clipped to [-1, 1]. The mocap target moves by a[0:3] × <see cref="ActionScale"/> per step and
/// is clipped to the task's hand box; the hand body follows through a weld. a[3] drives the two finger position
/// actuators with ctrl = (a3, -a3): +1 closes, -1 opens.</item>
/// <item>Each step runs <see cref="FrameSkip"/> physics steps of 2.5 ms (12.5 ms per environment step).</item>
/// <item>Episodes last at most <see cref="MaxEpisodeSteps"/> steps; success is reported per step.</item>
/// </list>
/// Not thread-safe; use one environment per thread.
/// </summary>
public sealed class ManipulationEnv : IDisposable
{
    public const int MaxEpisodeSteps = 200;
    public const int FrameSkip = 5;
    public const double ActionScale = 1.0 / 100.0;
    /// <summary>Environment steps run inside <see cref="Reset"/> (hand still, gripper open) so objects come to rest.</summary>
    public const int SettleSteps = 10;
    /// <summary>Pad distance that maps to a gripper opening of 1 in the observation.</summary>
    public const double GripperOpeningScale = 0.1;

    private readonly MuJoCoModel _model;
    private readonly MuJoCoSimulation _simulation;
    private readonly ManipulationTask _task;
    private readonly int _handBody;
    private readonly int _handQpos;
    private readonly int _handDof;
    private readonly int _mocap;
    private readonly int _weld;
    private readonly int _rightPad;
    private readonly int _leftPad;
    private readonly double[] _frame = new double[ObservationLayout.FrameSize];
    private readonly double[] _previousFrame = new double[ObservationLayout.FrameSize];
    private Vec3 _mocapTarget;
    private bool _episodeActive;

    public ManipulationEnv(ControlTask task)
    {
        Task = task;
        _model = MuJoCoModel.LoadXml(SceneLibrary.ComposeScene(task), $"scene '{task.ToName()}'");
        try
        {
            _simulation = new MuJoCoSimulation(_model);
            _task = ManipulationTask.Create(task, _simulation);
            _handBody = _model.RequireId(MuJoCoObjectType.Body, "hand");
            _handQpos = _model.JointQposAddress("hand_free");
            _handDof = _model.JointDofAddress("hand_free");
            _mocap = _model.MocapId("mocap");
            _weld = _model.RequireId(MuJoCoObjectType.Equality, "hand_weld");
            _rightPad = _model.RequireId(MuJoCoObjectType.Site, "rightEndEffector");
            _leftPad = _model.RequireId(MuJoCoObjectType.Site, "leftEndEffector");
        }
        catch
        {
            _simulation?.Dispose();
            _model.Dispose();
            throw;
        }
    }

    public ControlTask Task { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int StepCount { get; private set; }

    /// <summary>Goal of the current episode (also observation [36:39]).</summary>
    public Vec3 Goal => _task.Goal;

    /// <summary>Hand body (TCP) position now.</summary>
    public Vec3 HandPosition => _simulation.ReadVec3(MuJoCoField.BodyWorldPosition, _handBody);

    /// <summary>Where the hand is being driven (the mocap body's position).</summary>
    public Vec3 MocapTarget => _mocapTarget;

    /// <summary>Hand (mocap) bounds of this task.</summary>
    public (Vec3 Low, Vec3 High) HandBounds => (_task.HandLow, _task.HandHigh);

    /// <summary>The underlying simulation, for inspection in tests and tools.</summary>
    public MuJoCoSimulation Simulation => _simulation;

    /// <summary>Whether the success condition holds in the current state.</summary>
    public bool IsSuccess => _task.IsSuccess();

    /// <summary>Starts an episode whose object placement and goal are fixed by <paramref name="seed"/>.</summary>
    /// <returns>The first observation; its previous-frame block repeats the current frame.</returns>
    public float[] Reset(int seed)
    {
        _simulation.Reset();

        // Weld row in MuJoCo 2.2.2 (11 numbers): anchor, relative position, relative quaternion, torque scale.
        // Identity relative pose: the hand's TCP tracks the mocap point exactly.
        ReadOnlySpan<double> weld = [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
        _simulation.Write(MuJoCoField.EqualityData, 11 * _weld, weld);

        Vec3 hand = _task.HandInitialPosition;
        ReadOnlySpan<double> handPose = [hand.X, hand.Y, hand.Z, 1, 0, 0, 0];
        _simulation.Write(MuJoCoField.Qpos, _handQpos, handPose);
        _simulation.Write(MuJoCoField.Qvel, _handDof, stackalloc double[6]);
        SetMocap(hand);

        _task.Randomize(SeededRandom.ForEpisode(Task, seed));
        _simulation.Forward();

        ReadOnlySpan<double> open = [-1, 1];
        _simulation.Write(MuJoCoField.Ctrl, 0, open);
        _simulation.Step(SettleSteps * FrameSkip);
        ThrowOnWarnings();

        StepCount = 0;
        _episodeActive = true;
        ReadFrame(_frame);
        _frame.CopyTo(_previousFrame, 0);
        return BuildObservation();
    }

    /// <summary>Applies one action (4 numbers; values outside [-1, 1] are clipped) and advances 12.5 ms.</summary>
    /// <exception cref="InvalidOperationException">No episode is running: call <see cref="Reset"/> first, or the horizon was reached.</exception>
    public StepResult Step(ReadOnlySpan<float> action)
    {
        if (action.Length != ObservationLayout.ActionSize)
        {
            throw new ArgumentException($"An action has {ObservationLayout.ActionSize} numbers; got {action.Length}.", nameof(action));
        }
        if (!_episodeActive)
        {
            throw new InvalidOperationException(StepCount >= MaxEpisodeSteps
                ? $"The episode reached its {MaxEpisodeSteps}-step horizon; call Reset(seed) to start another."
                : "No episode is running; call Reset(seed) first.");
        }
        Span<double> clipped = stackalloc double[ObservationLayout.ActionSize];
        for (int i = 0; i < clipped.Length; i++)
        {
            if (float.IsNaN(action[i]))
            {
                throw new ArgumentException($"Action component {i} is NaN.", nameof(action));
            }
            clipped[i] = Math.Clamp(action[i], -1.0, 1.0);
        }

        Vec3 low = _task.HandLow;
        Vec3 high = _task.HandHigh;
        Vec3 target = _mocapTarget + new Vec3(clipped[0], clipped[1], clipped[2]) * ActionScale;
        SetMocap(new Vec3(
            Math.Clamp(target.X, low.X, high.X),
            Math.Clamp(target.Y, low.Y, high.Y),
            Math.Clamp(target.Z, low.Z, high.Z)));
        ReadOnlySpan<double> grip = [clipped[3], -clipped[3]];
        _simulation.Write(MuJoCoField.Ctrl, 0, grip);

        _simulation.Step(FrameSkip);
        ThrowOnWarnings();

        StepCount++;
        _frame.CopyTo(_previousFrame, 0);
        ReadFrame(_frame);
        bool horizonReached = StepCount >= MaxEpisodeSteps;
        if (horizonReached)
        {
            _episodeActive = false;
        }
        return new StepResult(BuildObservation(), _task.IsSuccess(), horizonReached);
    }

    private void SetMocap(Vec3 position)
    {
        _mocapTarget = position;
        _simulation.WriteVec3(MuJoCoField.MocapPosition, _mocap, position);
        ReadOnlySpan<double> identity = [1, 0, 0, 0];
        _simulation.Write(MuJoCoField.MocapQuaternion, 4 * _mocap, identity);
    }

    private void ReadFrame(Span<double> frame)
    {
        _simulation.Read(MuJoCoField.BodyWorldPosition, 3 * _handBody, frame[..3]);
        Vec3 right = _simulation.ReadVec3(MuJoCoField.SiteWorldPosition, _rightPad);
        Vec3 left = _simulation.ReadVec3(MuJoCoField.SiteWorldPosition, _leftPad);
        frame[ObservationLayout.GripperOpening] = Math.Clamp(right.DistanceTo(left) / GripperOpeningScale, 0.0, 1.0);
        Span<double> objects = frame.Slice(ObservationLayout.FirstObjectPosition, ObservationLayout.ObjectBlockSize);
        objects.Clear();
        _task.WriteObjects(objects);
    }

    private float[] BuildObservation()
    {
        var observation = new float[ObservationLayout.Size];
        for (int i = 0; i < ObservationLayout.FrameSize; i++)
        {
            observation[i] = (float)_frame[i];
            observation[ObservationLayout.PreviousFrame + i] = (float)_previousFrame[i];
        }
        Vec3 goal = _task.Goal;
        observation[ObservationLayout.Goal] = (float)goal.X;
        observation[ObservationLayout.Goal + 1] = (float)goal.Y;
        observation[ObservationLayout.Goal + 2] = (float)goal.Z;
        return observation;
    }

    private void ThrowOnWarnings()
    {
        if (_simulation.WarningCount > 0)
        {
            throw new MuJoCoException(
                $"MuJoCo raised a warning while simulating task '{Task.ToName()}' (step {StepCount}): " +
                $"{MuJoCoSimulation.LastWarning()}. The scene or the action sequence made the simulation unstable.");
        }
    }

    public void Dispose()
    {
        _simulation.Dispose();
        _model.Dispose();
    }
}
