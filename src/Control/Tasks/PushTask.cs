using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>push (v2 ranges): puck in (-0.1,0.6)..(0.1,0.7), goal in (-0.1,0.8)..(0.1,0.9), 0.15 apart; success within 0.05.</summary>
public sealed class PushTask(MuJoCoSimulation simulation) : PuckTask(simulation)
{
    public override ControlTask Task => ControlTask.Push;

    protected override Vec3 PuckLow => new(-0.1, 0.6, PuckRestHeight);

    protected override Vec3 PuckHigh => new(0.1, 0.7, PuckRestHeight);

    protected override Vec3 GoalLow => new(-0.1, 0.8, PuckRestHeight);

    protected override Vec3 GoalHigh => new(0.1, 0.9, PuckRestHeight);

    protected override double SuccessDistance => 0.05;

    protected override double MinimumSeparation => 0.15;
}
