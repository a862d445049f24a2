namespace NativeTrustRegion.Control.Physics;

/// <summary>A double-precision 3-vector (MuJoCo's mjtNum is double).</summary>
public readonly record struct Vec3(double X, double Y, double Z)
{
    public static readonly Vec3 Zero = new(0, 0, 0);

    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);

    public static Vec3 operator *(Vec3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    public static Vec3 operator *(double s, Vec3 a) => a * s;

    public double Length => Math.Sqrt(X * X + Y * Y + Z * Z);

    /// <summary>Distance in the horizontal (x, y) plane.</summary>
    public double PlanarDistanceTo(Vec3 other) => Math.Sqrt((X - other.X) * (X - other.X) + (Y - other.Y) * (Y - other.Y));

    public double DistanceTo(Vec3 other) => (this - other).Length;

    /// <summary>Reads three consecutive numbers.</summary>
    public static Vec3 From(ReadOnlySpan<float> values) => new(values[0], values[1], values[2]);

    /// <summary>Rotates this vector by a unit quaternion given in MuJoCo order (w, x, y, z).</summary>
    public Vec3 RotatedBy(double w, double x, double y, double z)
    {
        // v' = v + 2w (q × v) + 2 q × (q × v), q = (x, y, z)
        double cx = y * Z - z * Y;
        double cy = z * X - x * Z;
        double cz = x * Y - y * X;
        double ccx = y * cz - z * cy;
        double ccy = z * cx - x * cz;
        double ccz = x * cy - y * cx;
        return new Vec3(X + 2 * (w * cx + ccx), Y + 2 * (w * cy + ccy), Z + 2 * (w * cz + ccz));
    }

    public override string ToString() => FormattableString.Invariant($"({X:F4}, {Y:F4}, {Z:F4})");
}
