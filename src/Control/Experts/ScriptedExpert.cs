using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// A hand-written policy for one task, in the style of Meta-World's v2 scripted policies: a small state machine
/// whose state is read from the current observation alone (no memory), so it can resume from any state.
/// Each step picks a hand target and a gripper command; the action is gain × (target − hand), clipped to [-1, 1].
/// </summary>
public abstract class ScriptedExpert(ControlTask task)
{
    public ControlTask Task { get; } = task;

    /// <summary>Action (4 numbers in [-1, 1]) for a 39-number observation.</summary>
    public float[] Act(ReadOnlySpan<float> observation)
    {
        var view = new ObservationView(observation);
        (Vec3 target, double gain, double grip) = Decide(view);
        Vec3 move = (target - view.Hand) * gain;
        return
        [
            (float)Math.Clamp(move.X, -1, 1),
            (float)Math.Clamp(move.Y, -1, 1),
            (float)Math.Clamp(move.Z, -1, 1),
            (float)Math.Clamp(grip, -1, 1),
        ];
    }

    /// <summary>The hand target, the proportional gain towards it and the gripper command for this observation.</summary>
    protected abstract (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation);

    protected const double Open = -1;
    protected const double Close = 1;

    /// <summary>
    /// Whether the gripper holds an object of width <paramref name="objectWidth"/> (metres between the pads) at
    /// <paramref name="graspPoint"/>: the pads are closed on something about that wide and the point is at the TCP.
    /// </summary>
    protected static bool IsHolding(ObservationView observation, Vec3 graspPoint, double objectWidth)
    {
        double padGap = observation.GripperOpening * ManipulationEnv.GripperOpeningScale;
        return padGap < objectWidth + 0.012 && padGap > 0.5 * objectWidth
            && observation.Hand.DistanceTo(graspPoint) < 0.03;
    }

    /// <summary>
    /// Reach-and-grasp from above: move over <paramref name="graspPoint"/> at <paramref name="approachHeight"/> with the
    /// gripper open, descend to it, then close. Once the caller sees <see cref="IsHolding"/>, it takes over.
    /// </summary>
    protected static (Vec3 Target, double Gain, double Grip) ReachAndGrasp(ObservationView observation, Vec3 graspPoint,
        double approachHeight)
    {
        Vec3 hand = observation.Hand;
        double planarTolerance = hand.Z < graspPoint.Z + 0.03 ? 0.025 : 0.012;
        if (hand.PlanarDistanceTo(graspPoint) > planarTolerance)
        {
            return (new Vec3(graspPoint.X, graspPoint.Y, Math.Max(approachHeight, graspPoint.Z + 0.05)), 10, Open);
        }
        if (Math.Abs(hand.Z - graspPoint.Z) > 0.008)
        {
            return (graspPoint, 25, Open);
        }
        return (graspPoint, 25, Close);
    }

    /// <summary>Moves the hand so that the held point <paramref name="held"/> goes to <paramref name="target"/>, gripper closed.</summary>
    protected static (Vec3 Target, double Gain, double Grip) CarryHeld(ObservationView observation, Vec3 held, Vec3 target,
        double gain) => (observation.Hand + (target - held), gain, Close);

    /// <summary>
    /// Push with the closed gripper: come over <paramref name="start"/> from <paramref name="approachHeight"/> above the
    /// contact height <paramref name="contactZ"/>, descend onto it, then push towards <paramref name="end"/>.
    /// </summary>
    protected static (Vec3 Target, double Gain, double Grip) PushFrom(ObservationView observation, Vec3 start, double contactZ,
        double approachHeight, Vec3 end)
    {
        Vec3 hand = observation.Hand;
        bool low = Math.Abs(hand.Z - contactZ) < 0.02;
        if (hand.PlanarDistanceTo(start) > (low ? 0.03 : 0.015))
        {
            return (new Vec3(start.X, start.Y, contactZ + approachHeight), 10, Close);
        }
        if (!low)
        {
            return (start, 25, Close);
        }
        return (end, 25, Close);
    }

    public static ScriptedExpert Create(ControlTask task) => task switch
    {
        ControlTask.Hammer => new HammerExpert(),
        ControlTask.PushWall => new PushWallExpert(),
        ControlTask.FaucetClose => new FaucetCloseExpert(),
        ControlTask.PushBack => new PuckDragExpert(ControlTask.PushBack),
        ControlTask.StickPull => new StickPullExpert(),
        ControlTask.HandlePressSide => new HandlePressSideExpert(),
        ControlTask.Push => new PuckDragExpert(ControlTask.Push),
        ControlTask.ShelfPlace => new ShelfPlaceExpert(),
        ControlTask.WindowClose => new WindowCloseExpert(),
        ControlTask.PegUnplugSide => new PegUnplugSideExpert(),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not a CW10 task."),
    };
}
