using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Uniform numbers drawn per pass (vectorised Philox), then applied.</summary>
    private const int Tile = 256;

    public void DropoutForward(Tensor x, Tensor y, double p, ulong seed, ulong offset)
    {
        if (x.DType == DType.BF16)
        {
            DropoutBf16(x, y, p, seed, offset, false);
            return;
        }
        DTypeDispatch.For(x.DType, DropoutApply<float>, DropoutApply<double>)(x, y, p, seed, offset, false);
    }

    public void DropoutBackward(Tensor dy, Tensor dx, double p, ulong seed, ulong offset, bool accumulate)
    {
        if (dy.DType == DType.BF16)
        {
            DropoutBf16(dy, dx, p, seed, offset, accumulate);
            return;
        }
        DTypeDispatch.For(dy.DType, DropoutApply<float>, DropoutApply<double>)(dy, dx, p, seed, offset, accumulate);
    }

    /// <summary>bf16 storage, float32 math (as kernels/dropout.cu's bf16 instantiation): widened, masked, rounded once.</summary>
    private static void DropoutBf16(Tensor src, Tensor dst, double p, ulong seed, ulong offset, bool accumulate)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideDst = accumulate ? BFloat16Widening.Widen(dst) : BFloat16Widening.Scratch(dst);
        DropoutApply<float>(BFloat16Widening.Widen(src), wideDst, p, seed, offset, accumulate);
        BFloat16Widening.Narrow(wideDst, dst);
    }

    private static void DropoutApply<T>(Tensor src, Tensor dst, double p, ulong seed, ulong offset, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var keep = T.CreateTruncating(1.0 / (1.0 - p));
        var threshold = (float)p;
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
                        var kept = Vector256.GreaterThanOrEqual(Vector256.Create(u.Slice(j, 8)), bound);
                        var v = Vector256.ConditionalSelect(kept, Vector256.Create(sf.Slice(j, 8)) * scale, Vector256<float>.Zero);
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
                    var v = u[j] >= threshold ? s[i] * keep : T.Zero;
                    d[i] = accumulate ? d[i] + v : v;
                }
            }
        });
    }
}
