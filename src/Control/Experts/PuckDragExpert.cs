using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Tasks;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// push and push-back: grasp the puck from above and drag it along the table to the goal (like Meta-World's v2
/// push policies, which also close the gripper on the puck).
/// </summary>
public sealed class PuckDragExpert : ScriptedExpert
{
    private const double PuckWidth = 0.04;
    private const double GraspHeightAbovePuck = 0.002;

    public PuckDragExpert(ControlTask task)
    {
        if (task is not (ControlTask.Push or ControlTask.PushBack))
        {
            throw new ArgumentException($"{nameof(PuckDragExpert)} handles push and push-back, not {task.ToName()}.", nameof(task));
        }
        Task = task;
    }

    public override ControlTask Task { get; }

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 grasp = observation.FirstObjectPosition + new Vec3(0, 0, GraspHeightAbovePuck);
        if (!IsHolding(observation, grasp, PuckWidth))
        {
            return ReachAndGrasp(observation, grasp, approachHeight: 0.1);
        }
        Vec3 goal = observation.Goal;
        Vec3 puckTarget = new(goal.X, goal.Y, PuckTask.PuckRestHeight + GraspHeightAbovePuck);
        return (observation.Hand + (puckTarget - grasp), 10, Close);
    }
}
