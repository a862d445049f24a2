using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeTrustRegion.Engine.Randomness;

/// <summary>
/// <see cref="Philox"/> for sixteen (AVX-512) or eight (AVX2) consecutive counters at once, giving exactly the scalar
/// numbers: the same 32x32→64-bit products, split into the same high and low words. Falls back to the scalar code
/// without AVX2.
/// </summary>
public static class PhiloxVector
{
    /// <summary>destination[i] = <see cref="Philox.UniformFloatAt"/>(seed, offset + i).</summary>
    public static void UniformFloats(ulong seed, ulong offset, Span<float> destination)
    {
        var i = 0;
        if (Avx512F.IsSupported)
        {
            var scale = Vector512.Create(1.0f / 16777216.0f);
            var half = Vector512.Create(0.5f);
            for (; i + 16 <= destination.Length; i += 16)
            {
                var index = offset + (ulong)i;
                if ((uint)index > uint.MaxValue - 15)
                {
                    // the low word wraps inside this group of sixteen: the scalar generator for these
                    for (var j = 0; j < 16; j++)
                    {
                        destination[i + j] = Philox.UniformFloatAt(seed, index + (ulong)j);
                    }
                    continue;
                }
                var w = FirstWords16(seed, index);
                var u = (Vector512.ConvertToSingle(Vector512.ShiftRightLogical(w, 8).AsInt32()) + half) * scale;
                u.StoreUnsafe(ref destination[i]);
            }
        }
        if (Avx2.IsSupported)
        {
            var scale = Vector256.Create(1.0f / 16777216.0f);
            var half = Vector256.Create(0.5f);
            for (; i + 8 <= destination.Length; i += 8)
            {
                var w = FirstWords(seed, offset + (ulong)i);
                var u = Avx.Multiply(Avx.Add(Avx.ConvertToVector256Single(Avx2.ShiftRightLogical(w, 8).AsInt32()), half), scale);
                u.StoreUnsafe(ref destination[i]);
            }
        }
        for (; i < destination.Length; i++)
        {
            destination[i] = Philox.UniformFloatAt(seed, offset + (ulong)i);
        }
    }

    /// <summary>Word 0 of the Philox blocks for counters index .. index + 7 (AVX2 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> FirstWords(ulong seed, ulong index)
    {
        Vector256<uint> c0, c1;
        if ((uint)index <= uint.MaxValue - 7)
        {
            c0 = Vector256.Create((uint)index) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            c1 = Vector256.Create((uint)(index >> 32));
        }
        else
        {
            // the low word wraps inside this group of eight
            var lo = new uint[8];
            var hi = new uint[8];
            for (var j = 0; j < 8; j++)
            {
                lo[j] = (uint)(index + (ulong)j);
                hi[j] = (uint)((index + (ulong)j) >> 32);
            }
            c0 = Vector256.Create(lo);
            c1 = Vector256.Create(hi);
        }
        var c2 = Vector256.Create(0x5EED5EEDu);
        var c3 = Vector256.Create(0x0B5E55EDu);
        var k0 = (uint)seed;
        var k1 = (uint)(seed >> 32);
        var m0 = Vector256.Create(Philox.M0);
        var m1 = Vector256.Create(Philox.M1);
        for (var r = 0; r < 10; r++)
        {
            var (hi0, lo0) = Multiply(c0, m0);
            var (hi1, lo1) = Multiply(c2, m1);
            c0 = hi1 ^ c1 ^ Vector256.Create(k0);
            c1 = lo1;
            c2 = hi0 ^ c3 ^ Vector256.Create(k1);
            c3 = lo0;
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
        return c0;
    }

    /// <summary>Word 0 of the Philox blocks for counters index .. index + 15, the low word not wrapping among them (AVX-512 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> FirstWords16(ulong seed, ulong index)
    {
        var c0 = Vector512.Create((uint)index) + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var c1 = Vector512.Create((uint)(index >> 32));
        var c2 = Vector512.Create(0x5EED5EEDu);
        var c3 = Vector512.Create(0x0B5E55EDu);
        var k0 = (uint)seed;
        var k1 = (uint)(seed >> 32);
        var m0 = Vector512.Create(Philox.M0);
        var m1 = Vector512.Create(Philox.M1);
        for (var r = 0; r < 10; r++)
        {
            var hi0 = High(c0, m0);
            var lo0 = c0 * m0;
            var hi1 = High(c2, m1);
            var lo1 = c2 * m1;
            c0 = hi1 ^ c1 ^ Vector512.Create(k0);
            c1 = lo1;
            c2 = hi0 ^ c3 ^ Vector512.Create(k1);
            c3 = lo0;
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
        return c0;
    }

    /// <summary>The high 32-bit word of each lane's 64-bit product (the low word is the ordinary lane product).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> High(Vector512<uint> a, Vector512<uint> m)
    {
        var even = Avx512F.Multiply(a, m); // lanes 0, 2, … as 64-bit products
        var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m); // lanes 1, 3, …
        return Avx512F.BlendVariable(Avx512F.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), OddLanes);
    }

    private static readonly Vector512<uint> OddLanes = Vector512.Create(0u, ~0u, 0, ~0u, 0, ~0u, 0, ~0u, 0, ~0u, 0, ~0u, 0, ~0u, 0, ~0u);

    /// <summary>The high and low 32-bit words of each lane's 64-bit product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Hi, Vector256<uint> Lo) Multiply(Vector256<uint> a, Vector256<uint> m)
    {
        var even = Avx2.Multiply(a, m); // lanes 0, 2, 4, 6 as 64-bit products
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m); // lanes 1, 3, 5, 7
        var lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), 0b10101010);
        var hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
        return (hi, lo);
    }
}
