using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>push (v2 ranges): puck in (-0.1,0.6)..(0.1,0.7), goal in (-0.1,0.8)..(0.1,0.9), 0.15 apart; success within 0.05.</summary>
public sealed class PushTask(MuJoCoSimulation simulation) : PuckTask(simulation, ControlTask.Push,
    puckBox: OnTable(-0.1, 0.6, 0.1, 0.7), goalBox: OnTable(-0.1, 0.8, 0.1, 0.9), successDistance: 0.05, minimumSeparation: 0.15);
