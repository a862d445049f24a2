using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Data;

/// <summary>
/// Seeded pseudo-random generator (the engine's xoshiro256**, seeded through SplitMix64) whose output is
/// identical on every platform and .NET version, so data sets and batch orders are reproducible
/// bit for bit. Not thread-safe: give each thread or work item its own instance
/// (see <see cref="ForStream(ulong, ulong, ulong)"/>).
/// </summary>
public struct DeterministicRandom
{
    private Xoshiro256StarStar core;
    private double spareGaussian;
    private bool hasSpareGaussian;

    public DeterministicRandom(ulong seed)
    {
        core = new Xoshiro256StarStar(seed);
        spareGaussian = 0;
        hasSpareGaussian = false;
    }

    /// <summary>An independent generator for one (seed, stream, substream) triple, e.g. (seed, class, image).</summary>
    public static DeterministicRandom ForStream(ulong seed, ulong stream, ulong substream = 0) =>
        new(Mix(Mix(seed, stream), substream));

    /// <summary>Hashes two 64-bit values into one well-mixed 64-bit value (stateless).</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        ulong x = a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2));
        return Xoshiro256StarStar.Finalize(x);
    }

    public ulong NextUInt64() => core.NextUInt64();

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => core.NextDouble();

    /// <summary>Uniform double in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, exclusiveMax), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        ulong bound = (ulong)exclusiveMax;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal sample (Box–Muller, both values used).</summary>
    public double NextGaussian()
    {
        if (hasSpareGaussian)
        {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u1;
        do { u1 = NextDouble(); } while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareGaussian = radius * Math.Sin(angle);
        hasSpareGaussian = true;
        return radius * Math.Cos(angle);
    }

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
