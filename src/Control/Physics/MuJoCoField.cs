namespace NativeTrustRegion.Control.Physics;

/// <summary>
/// Arrays reachable through the shim's read/write calls (values mirror <c>enum ntr_field</c> in ntr_mujoco.h).
/// Lengths are in scalars: for example <see cref="BodyPosition"/> holds nbody × 3 numbers.
/// </summary>
public enum MuJoCoField
{
    // mjData
    Qpos = 0,
    Qvel = 1,
    Ctrl = 2,
    MocapPosition = 3,
    MocapQuaternion = 4,
    BodyWorldPosition = 5,
    BodyWorldQuaternion = 6,
    BodyCenterOfMass = 7,
    SiteWorldPosition = 8,
    SiteWorldRotation = 9,
    GeomWorldPosition = 10,
    GeomWorldRotation = 11,
    Time = 12,
    Qacc = 13,
    ActuatorForce = 14,

    // mjModel
    BodyPosition = 32,
    BodyQuaternion = 33,
    EqualityData = 34,
    Timestep = 35,
    SitePosition = 36,
    GeomSize = 37,
    Qpos0 = 38,
}
