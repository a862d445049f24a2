namespace NativeTrustRegion.Engine.Randomness;

/// <summary>
/// A seeded stream of random numbers: each draw of n values consumes the next n counters of Philox for this seed.
/// The state (seed, offset) is two integers, so a checkpoint restores it exactly.
/// </summary>
public sealed class Generator
{
    public Generator(ulong seed, ulong offset = 0)
    {
        Seed = seed;
        Offset = offset;
    }

    public ulong Seed { get; }

    public ulong Offset { get; private set; }

    /// <summary>Reserves <paramref name="count"/> counters and returns the first.</summary>
    public ulong Advance(long count)
    {
        var start = Offset;
        Offset += (ulong)count;
        return start;
    }

    public void Restore(ulong offset) => Offset = offset;

    /// <summary>An independent generator derived from this seed and a label (e.g. a task or a purpose).</summary>
    public static Generator Derive(ulong seed, ulong stream)
    {
        var (a, b, _, _) = Philox.Block((uint)stream, (uint)(stream >> 32), 0xD3A1u, 0x57E4u, seed);
        return new Generator(((ulong)a << 32) | b);
    }

    public double NextUniform() => Philox.UniformDoubleAt(Seed, Advance(1));

    public double NextNormal() => Philox.NormalDouble(Seed, Advance(1));

    /// <summary>An integer uniform in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        }
        var (w0, w1, _, _) = Philox.At(Seed, Advance(1));
        var x = ((ulong)w0 << 32) | w1;
        return (int)(x % (ulong)n);
    }

    /// <summary>Fisher-Yates shuffle driven by this generator.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
