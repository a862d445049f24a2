using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>
/// An expert that first grasps an object from above (<see cref="ScriptedExpert.ReachAndGrasp"/> until
/// <see cref="ScriptedExpert.IsHolding"/> sees an object <paramref name="objectWidth"/> wide at the grasp point), then
/// decides the carrying motion with the object in hand.
/// </summary>
public abstract class GraspingExpert(ControlTask task, double objectWidth, double approachHeight) : ScriptedExpert(task)
{
    /// <summary>Where the gripper closes on the object, from the observation.</summary>
    protected abstract Vec3 GraspPoint(ObservationView observation);

    /// <summary>The decision once the object at <paramref name="grasp"/> is held.</summary>
    protected abstract (Vec3 Target, double Gain, double Grip) Carry(ObservationView observation, Vec3 grasp);

    protected sealed override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 grasp = GraspPoint(observation);
        if (!IsHolding(observation, grasp, objectWidth))
        {
            return ReachAndGrasp(observation, grasp, approachHeight);
        }
        return Carry(observation, grasp);
    }
}
