using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Control;

/// <summary>
/// Deterministic generator for episode randomisation (the engine's xoshiro256**), so the sequence for a (task, seed)
/// pair does not depend on the .NET runtime's Random.
/// </summary>
public sealed class SeededRandom
{
    private Xoshiro256StarStar _core;

    public SeededRandom(ulong seed)
    {
        _core = new Xoshiro256StarStar(seed);
    }

    /// <summary>Generator for one episode of one task; different tasks get unrelated streams for the same seed.</summary>
    public static SeededRandom ForEpisode(ControlTask task, int seed) =>
        new(((ulong)(uint)seed << 8) ^ ((ulong)task + 1) * 0x9E3779B97F4A7C15UL);

    public ulong NextUInt64() => _core.NextUInt64();

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _core.NextDouble();

    /// <summary>Uniform in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Standard normal sample (Box-Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform in the box [low, high) per axis.</summary>
    public Vec3 UniformIn(Vec3 low, Vec3 high) =>
        new(Uniform(low.X, high.X), Uniform(low.Y, high.Y), Uniform(low.Z, high.Z));
}
