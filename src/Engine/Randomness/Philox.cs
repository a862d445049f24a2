using System.Runtime.CompilerServices;

namespace NativeTrustRegion.Engine.Randomness;

/// <summary>
/// Philox4x32-10 counter-based random numbers (Salmon et al., SC'11). Value i of a stream depends only on
/// (seed, i), so every device and every thread layout draws the same numbers; kernels/random.cu is the CUDA twin.
/// </summary>
public static class Philox
{
    /// <summary>The round multipliers (Philox4x32's M0, M1) and key increments (Weyl constants W0, W1); <see cref="PhiloxVector"/> uses them too.</summary>
    internal const uint M0 = 0xD2511F53;
    internal const uint M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9;
    internal const uint W1 = 0xBB67AE85;

    /// <summary>Four 32-bit words for counter (c0, c1, c2, c3) and a 64-bit key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, ulong key)
    {
        var k0 = (uint)key;
        var k1 = (uint)(key >> 32);
        for (var r = 0; r < 10; r++)
        {
            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            var hi0 = (uint)(p0 >> 32);
            var lo0 = (uint)p0;
            var hi1 = (uint)(p1 >> 32);
            var lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>The four words for element <paramref name="index"/> of stream <paramref name="seed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) At(ulong seed, ulong index) =>
        Block((uint)index, (uint)(index >> 32), 0x5EED5EEDu, 0x0B5E55EDu, seed);

    /// <summary>A uniform float in (0, 1) from one word: ((w >> 8) + 0.5) / 2^24.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float UniformFloat(uint w) => ((w >> 8) + 0.5f) * (1.0f / 16777216.0f);

    /// <summary>A uniform double in (0, 1) from two words (53 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UniformDouble(uint hi, uint lo) =>
        ((((ulong)hi << 21) ^ (lo >> 11)) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary>Standard normal number for element <paramref name="index"/> (Box-Muller on the first two words).</summary>
    public static float NormalFloat(ulong seed, ulong index)
    {
        var (w0, w1, _, _) = At(seed, index);
        var u1 = UniformFloat(w0);
        var u2 = UniformFloat(w1);
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }

    public static double NormalDouble(ulong seed, ulong index)
    {
        var (w0, w1, w2, w3) = At(seed, index);
        var u1 = UniformDouble(w0, w1);
        var u2 = UniformDouble(w2, w3);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static float UniformFloatAt(ulong seed, ulong index) => UniformFloat(At(seed, index).Item1);

    public static double UniformDoubleAt(ulong seed, ulong index)
    {
        var (w0, w1, _, _) = At(seed, index);
        return UniformDouble(w0, w1);
    }
}
