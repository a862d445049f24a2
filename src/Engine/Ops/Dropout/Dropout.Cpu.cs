using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Uniform numbers drawn per pass (vectorised Philox), then applied.</summary>
    private const int Tile = 256;

    /// <summary>The kept elements as bits (bit i of word i / 64), drawn by a float32/float64 forward pass.</summary>
    private sealed class KeptBits(ulong[] bits) : DropoutMask
    {
        public ulong[] Bits { get; } = bits;
    }

    public DropoutMask? DropoutForward(Tensor x, Tensor y, double p, ulong seed, ulong offset, bool keepMask = false)
    {
        if (x.DType == DType.BF16)
        {
            DropoutBf16(x, y, p, seed, offset, false);
            return null;
        }
        // kept, the backward pass needs no Philox numbers (the same mask either way)
        var kept = keepMask ? new ulong[(x.Numel + 63) / 64] : null;
        DTypeDispatch.For(x.DType, DropoutApply<float>, DropoutApply<double>)(x, y, p, seed, offset, false, kept);
        return kept is null ? null : new KeptBits(kept);
    }

    public void DropoutBackward(Tensor dy, Tensor dx, double p, ulong seed, ulong offset, bool accumulate, DropoutMask? mask = null)
    {
        if (mask is KeptBits kept && dy.DType != DType.BF16)
        {
            DTypeDispatch.For(dy.DType, DropoutFromMask<float>, DropoutFromMask<double>)(dy, dx, p, kept.Bits, accumulate);
            return;
        }
        if (dy.DType == DType.BF16)
        {
            DropoutBf16(dy, dx, p, seed, offset, accumulate);
            return;
        }
        DTypeDispatch.For(dy.DType, DropoutApply<float>, DropoutApply<double>)(dy, dx, p, seed, offset, accumulate, null);
    }

    /// <summary>bf16 storage, float32 math (as kernels/dropout.cu's bf16 instantiation): widened, masked, rounded once.</summary>
    private static void DropoutBf16(Tensor src, Tensor dst, double p, ulong seed, ulong offset, bool accumulate)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideDst = accumulate ? BFloat16Widening.Widen(dst) : BFloat16Widening.Scratch(dst);
        DropoutApply<float>(BFloat16Widening.Widen(src), wideDst, p, seed, offset, accumulate, null);
        BFloat16Widening.Narrow(wideDst, dst);
    }

    private static void DropoutFromMask<T>(Tensor src, Tensor dst, double p, ulong[] kept, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var keep = T.CreateTruncating(1.0 / (1.0 - p));
        CpuParallel.For((int)src.Numel, 16384, (s0, s1) =>
        {
            var s = Data<T>(src);
            var d = Data<T>(dst);
            var j = s0;
            if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
            {
                // the same selection and product per element, eight at a time (s0 is a multiple of 64)
                var sf = MemoryMarshal.Cast<T, float>(s);
                var df = MemoryMarshal.Cast<T, float>(d);
                var scale = Vector256.Create(float.CreateTruncating(keep));
                var lanes = Vector256.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u);
                for (; j + 8 <= s1; j += 8)
                {
                    var bits = Vector256.Create((uint)(kept[j >> 6] >> (j & 63)) & 0xFFu);
                    var mask = Vector256.Equals(bits & lanes, lanes).AsSingle();
                    var v = Vector256.ConditionalSelect(mask, Vector256.Create(sf.Slice(j, 8)) * scale, Vector256<float>.Zero);
                    if (accumulate)
                    {
                        v = Vector256.Create(df.Slice(j, 8)) + v;
                    }
                    v.CopyTo(df.Slice(j, 8));
                }
            }
            for (; j < s1; j++)
            {
                var v = ((kept[j >> 6] >> (j & 63)) & 1) != 0 ? s[j] * keep : T.Zero;
                d[j] = accumulate ? d[j] + v : v;
            }
        });
    }

    private static void DropoutApply<T>(Tensor src, Tensor dst, double p, ulong seed, ulong offset, bool accumulate, ulong[]? kept)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var keep = T.CreateTruncating(1.0 / (1.0 - p));
        var threshold = (float)p;
        // blocks start at multiples of 16384 and tiles at multiples of 256 from there, so every word of the kept mask is
        // written by one thread
        CpuParallel.For((int)src.Numel, 16384, (s0, s1) =>
        {
            var s = Data<T>(src);
            var d = Data<T>(dst);
            Span<float> uniform = stackalloc float[Tile];
            for (var t0 = s0; t0 < s1; t0 += Tile)
            {
                var count = Math.Min(Tile, s1 - t0);
                var u = uniform[..count];
                PhiloxVector.UniformFloats(seed, offset + (ulong)t0, u);
                var j = 0;
                if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
                {
                    // the same comparison and product per element, eight at a time
                    var sf = MemoryMarshal.Cast<T, float>(s.Slice(t0, count));
                    var df = MemoryMarshal.Cast<T, float>(d.Slice(t0, count));
                    var scale = Vector256.Create(float.CreateTruncating(keep));
                    var bound = Vector256.Create(threshold);
                    for (; j + 8 <= count; j += 8)
                    {
                        var keptLanes = Vector256.GreaterThanOrEqual(Vector256.Create(u.Slice(j, 8)), bound);
                        if (kept is not null)
                        {
                            var i = t0 + j;
                            kept[i >> 6] |= (ulong)keptLanes.ExtractMostSignificantBits() << (i & 63);
                        }
                        var v = Vector256.ConditionalSelect(keptLanes, Vector256.Create(sf.Slice(j, 8)) * scale, Vector256<float>.Zero);
                        if (accumulate)
                        {
                            v = Vector256.Create(df.Slice(j, 8)) + v;
                        }
                        v.CopyTo(df.Slice(j, 8));
                    }
                }
                for (; j < count; j++)
                {
                    var i = t0 + j;
                    if (kept is not null && u[j] >= threshold)
                    {
                        kept[i >> 6] |= 1UL << (i & 63);
                    }
                    var v = u[j] >= threshold ? s[i] * keep : T.Zero;
                    d[i] = accumulate ? d[i] + v : v;
                }
            }
        });
    }
}
