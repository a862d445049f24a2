namespace NativeTrustRegion.Control.Physics;

/// <summary>The subset of MuJoCo's <c>mjtObj</c> used for name lookups (values as in mjmodel.h of 2.2.2).</summary>
public enum MuJoCoObjectType
{
    Body = 1,
    Joint = 3,
    Geom = 5,
    Site = 6,
    Equality = 16,
    Actuator = 18,
}
