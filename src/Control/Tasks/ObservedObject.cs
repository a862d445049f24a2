using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// One object of the observation's object block: the position of a point on it (a body's origin or a site) and the
/// orientation of <see cref="OrientationBody"/>, the body that carries the point. Names are resolved once, when the
/// task is built.
/// </summary>
public readonly record struct ObservedObject(MuJoCoObjectType PointType, string Point, string OrientationBody)
{
    /// <summary>A body's pose: its origin and its orientation.</summary>
    public static ObservedObject Body(string body) => new(MuJoCoObjectType.Body, body, body);

    /// <summary>A site on an articulated or free object, reported with the orientation of the body <paramref name="orientedAs"/>.</summary>
    public static ObservedObject Site(string site, string orientedAs) => new(MuJoCoObjectType.Site, site, orientedAs);
}
