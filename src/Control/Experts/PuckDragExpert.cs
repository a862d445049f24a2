using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>push and push-back: grasp the puck from above and drag it along the table straight to the goal.</summary>
public sealed class PuckDragExpert(ControlTask task) : PuckGraspingExpert(RequirePuckDragTask(task))
{
    protected override (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 grasp)
    {
        Vec3 goal = observation.Goal;
        return CarryHeld(observation, grasp, new Vec3(goal.X, goal.Y, CarryHeight), 10);
    }

    private static ControlTask RequirePuckDragTask(ControlTask task) => task is ControlTask.Push or ControlTask.PushBack
        ? task
        : throw new ArgumentException($"{nameof(PuckDragExpert)} handles push and push-back, not {task.ToName()}.", nameof(task));
}
