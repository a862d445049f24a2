using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Tasks;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// Experts of the puck tasks: grasp the puck (object 1) from above, closing just above its centre, then drag it
/// along the table at <see cref="CarryHeight"/> (like Meta-World's v2 push policies, which also close the gripper on
/// the puck).
/// </summary>
public abstract class PuckGraspingExpert(ControlTask task) : GraspingExpert(task, PuckTask.PuckDiameter, approachHeight: 0.1)
{
    /// <summary>How far above the puck's centre the gripper closes on it.</summary>
    private const double GraspHeightAbovePuck = 0.002;

    /// <summary>Height of the grasp point while the puck slides on the table.</summary>
    protected const double CarryHeight = PuckTask.PuckRestHeight + GraspHeightAbovePuck;

    protected sealed override Vec3 GraspPoint(ObservationView observation) =>
        observation.FirstObjectPosition + new Vec3(0, 0, GraspHeightAbovePuck);
}
