using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Experts;

/// <summary>peg-unplug-side: grasp the peg's outer part from above and pull it out along +x to the goal.</summary>
public sealed class PegUnplugSideExpert : ScriptedExpert
{
    private const double PegWidth = 0.024;

    public override ControlTask Task => ControlTask.PegUnplugSide;

    protected override (Vec3 Target, double Gain, double Grip) Decide(ObservationView observation)
    {
        Vec3 peg = observation.FirstObjectPosition;
        if (!IsHolding(observation, peg, PegWidth))
        {
            return ReachAndGrasp(observation, peg, approachHeight: 0.15);
        }
        Vec3 goal = observation.Goal;
        return (observation.Hand + (goal - peg), 25, Close);
    }
}
