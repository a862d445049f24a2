using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void UpsampleNearest2xForward(Tensor x, Tensor y)
    {
        if (x.DType == DType.BF16)
        {
            ResampleBf16(x, y, false, (s, d) => Spread2x2<float>(s, d, 1.0, false));
            return;
        }
        DTypeDispatch.For(x.DType, Upsample<float>, Upsample<double>)(x, y);
    }

    public void UpsampleNearest2xBackward(Tensor dy, Tensor dx, bool accumulate)
    {
        if (dy.DType == DType.BF16)
        {
            ResampleBf16(dy, dx, accumulate, (s, d) => Pool2x2<float>(s, d, 1.0, accumulate));
            return;
        }
        DTypeDispatch.For(dy.DType, Pool2x2<float>, Pool2x2<double>)(dy, dx, 1.0, accumulate);
    }

    public void AvgPool2x2Forward(Tensor x, Tensor y)
    {
        if (x.DType == DType.BF16)
        {
            ResampleBf16(x, y, false, (s, d) => Pool2x2<float>(s, d, 0.25, false));
            return;
        }
        DTypeDispatch.For(x.DType, Pool2x2<float>, Pool2x2<double>)(x, y, 0.25, false);
    }

    public void AvgPool2x2Backward(Tensor dy, Tensor dx, bool accumulate)
    {
        if (dy.DType == DType.BF16)
        {
            ResampleBf16(dy, dx, accumulate, (s, d) => Spread2x2<float>(s, d, 0.25, accumulate));
            return;
        }
        DTypeDispatch.For(dy.DType, Spread2x2<float>, Spread2x2<double>)(dy, dx, 0.25, accumulate);
    }

    /// <summary>
    /// bf16 storage, float32 math (as kernels/resample.cu's bf16 instantiation): src (and dst when accumulating) widened,
    /// the float32 kernel run, dst rounded to bf16 once.
    /// </summary>
    private static void ResampleBf16(Tensor src, Tensor dst, bool accumulate, Action<Tensor, Tensor> float32Kernel)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideDst = accumulate ? BFloat16Widening.Widen(dst) : BFloat16Widening.Scratch(dst);
        float32Kernel(BFloat16Widening.Widen(src), wideDst);
        BFloat16Widening.Narrow(wideDst, dst);
    }

    private static void Upsample<T>(Tensor xt, Tensor yt)
        where T : unmanaged, INumber<T> => Spread2x2<T>(xt, yt, 1.0, false);

    /// <summary>dst[.., 2i+a, 2j+b] (+)= scale·src[.., i, j] (src is the small image).</summary>
    private static void Spread2x2<T>(Tensor src, Tensor dst, double scaleValue, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        T scale = T.CreateTruncating(scaleValue);
        int planes = src.Shape[0] * src.Shape[1], h = src.Shape[2], w = src.Shape[3];
        CpuParallel.For(planes, CpuParallel.GrainForElements(planes, 4L * h * w), (p0, p1) =>
        {
            var s = Data<T>(src);
            var d = Data<T>(dst);
            for (var p = p0; p < p1; p++)
            {
                for (var i = 0; i < h; i++)
                {
                    var j = typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated
                        ? SpreadRowFloat(MemoryMarshal.Cast<T, float>(s.Slice((p * h + i) * w, w)), MemoryMarshal.Cast<T, float>(d.Slice((p * 2 * h + 2 * i) * 2 * w, 4 * w)),
                            float.CreateTruncating(scale), accumulate)
                        : 0;
                    for (; j < w; j++)
                    {
                        var v = scale * s[(p * h + i) * w + j];
                        var o = (p * 2 * h + 2 * i) * 2 * w + 2 * j;
                        if (accumulate)
                        {
                            d[o] += v; d[o + 1] += v; d[o + 2 * w] += v; d[o + 2 * w + 1] += v;
                        }
                        else
                        {
                            d[o] = v; d[o + 1] = v; d[o + 2 * w] = v; d[o + 2 * w + 1] = v;
                        }
                    }
                }
            }
        });
    }

    /// <summary>dst[.., i, j] (+)= scale·Σ src[.., 2i+a, 2j+b] (dst is the small image).</summary>
    private static void Pool2x2<T>(Tensor src, Tensor dst, double scaleValue, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        T scale = T.CreateTruncating(scaleValue);
        int planes = dst.Shape[0] * dst.Shape[1], h = dst.Shape[2], w = dst.Shape[3];
        CpuParallel.For(planes, CpuParallel.GrainForElements(planes, 4L * h * w), (p0, p1) =>
        {
            var s = Data<T>(src);
            var d = Data<T>(dst);
            for (var p = p0; p < p1; p++)
            {
                for (var i = 0; i < h; i++)
                {
                    var j = typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated
                        ? PoolRowFloat(MemoryMarshal.Cast<T, float>(s.Slice((p * 2 * h + 2 * i) * 2 * w, 4 * w)), MemoryMarshal.Cast<T, float>(d.Slice((p * h + i) * w, w)),
                            float.CreateTruncating(scale), accumulate)
                        : 0;
                    for (; j < w; j++)
                    {
                        var o = (p * 2 * h + 2 * i) * 2 * w + 2 * j;
                        var v = scale * (s[o] + s[o + 1] + s[o + 2 * w] + s[o + 2 * w + 1]);
                        var t = (p * h + i) * w + j;
                        d[t] = accumulate ? d[t] + v : v;
                    }
                }
            }
        });
    }

    /// <summary>
    /// <see cref="Spread2x2{T}"/> of one source row in float32 vectors, eight source elements at a time (each written twice
    /// into both output rows, <paramref name="rows"/> = the two rows of 2w); returns how many source elements it did.
    /// </summary>
    private static int SpreadRowFloat(ReadOnlySpan<float> source, Span<float> rows, float scale, bool accumulate)
    {
        var w = source.Length;
        var doubled = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        var scaleV = Vector512.Create(scale);
        ref var sr = ref MemoryMarshal.GetReference(source);
        ref var top = ref MemoryMarshal.GetReference(rows);
        ref var bottom = ref Unsafe.Add(ref top, 2 * w);
        var j = 0;
        for (; j + 8 <= w; j += 8)
        {
            var half = Vector256.LoadUnsafe(ref sr, (nuint)j);
            var v = Vector512.Shuffle(Vector512.Create(half, half), doubled) * scaleV;
            if (accumulate)
            {
                (Vector512.LoadUnsafe(ref top, (nuint)(2 * j)) + v).StoreUnsafe(ref top, (nuint)(2 * j));
                (Vector512.LoadUnsafe(ref bottom, (nuint)(2 * j)) + v).StoreUnsafe(ref bottom, (nuint)(2 * j));
            }
            else
            {
                v.StoreUnsafe(ref top, (nuint)(2 * j));
                v.StoreUnsafe(ref bottom, (nuint)(2 * j));
            }
        }
        return j;
    }

    /// <summary>
    /// <see cref="Pool2x2{T}"/> into one output row in float32 vectors, eight outputs at a time (even and odd lanes of the
    /// two source rows summed in the scalar order); returns how many outputs it did.
    /// </summary>
    private static int PoolRowFloat(ReadOnlySpan<float> rows, Span<float> destination, float scale, bool accumulate)
    {
        var w = destination.Length;
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
        var odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15);
        var scaleV = Vector256.Create(scale);
        ref var top = ref MemoryMarshal.GetReference(rows);
        ref var bottom = ref Unsafe.Add(ref top, 2 * w);
        ref var dr = ref MemoryMarshal.GetReference(destination);
        var j = 0;
        for (; j + 8 <= w; j += 8)
        {
            // ((s00 + s01) + s10) + s11, the scalar loop's and the GPU kernel's order (their results agree bit for bit)
            var t = Vector512.LoadUnsafe(ref top, (nuint)(2 * j));
            var b = Vector512.LoadUnsafe(ref bottom, (nuint)(2 * j));
            var v = (Vector512.Shuffle(t, even) + Vector512.Shuffle(t, odd) + Vector512.Shuffle(b, even) + Vector512.Shuffle(b, odd)).GetLower() * scaleV;
            if (accumulate)
            {
                v += Vector256.LoadUnsafe(ref dr, (nuint)j);
            }
            v.StoreUnsafe(ref dr, (nuint)j);
        }
        return j;
    }
}
