using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>push-back (v2 ranges): puck in (-0.1,0.8)..(0.1,0.85), goal in (-0.1,0.6)..(0.1,0.7), 0.15 apart; success within 0.07.</summary>
public sealed class PushBackTask(MuJoCoSimulation simulation) : PuckTask(simulation, ControlTask.PushBack,
    puckBox: OnTable(-0.1, 0.8, 0.1, 0.85), goalBox: OnTable(-0.1, 0.6, 0.1, 0.7), successDistance: 0.07, minimumSeparation: 0.15);
