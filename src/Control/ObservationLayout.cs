namespace NativeTrustRegion.Control;

/// <summary>
/// Index map of the 39-number observation (Meta-World v2 layout, with the v3 fix for the first frame).
/// <code>
///  [0:3]   hand (tool centre point) position, world frame, metres
///  [3]     gripper opening = clip(|right pad - left pad| / 0.1, 0, 1)   (1 = open, ~0.08 = closed on nothing)
///  [4:7]   object 1 position
///  [7:11]  object 1 orientation quaternion (w, x, y, z), MuJoCo order
///  [11:14] object 2 position            (zeros when the task has one object)
///  [14:18] object 2 quaternion (w,x,y,z) (zeros when the task has one object)
///  [18:36] the previous step's [0:18]; right after Reset it repeats the current [0:18]
///  [36:39] goal position
/// </code>
/// Actions are 4 numbers in [-1, 1]: hand displacement (x, y, z) in units of <see cref="ManipulationEnv.ActionScale"/>
/// metres per step, and the gripper command (+1 closes, -1 opens).
/// </summary>
public static class ObservationLayout
{
    public const int Size = 39;
    public const int ActionSize = 4;

    public const int HandPosition = 0;
    public const int GripperOpening = 3;
    public const int FirstObjectPosition = 4;
    public const int FirstObjectQuaternion = 7;
    public const int SecondObjectPosition = 11;
    public const int SecondObjectQuaternion = 14;
    /// <summary>Numbers describing one frame: hand (3) + gripper (1) + two object poses (14).</summary>
    public const int FrameSize = 18;
    /// <summary>Numbers of the object block (two poses of 7).</summary>
    public const int ObjectBlockSize = 14;
    public const int PreviousFrame = 18;
    public const int Goal = 36;
}
