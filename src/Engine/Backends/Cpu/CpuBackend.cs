using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The CPU back end: managed buffers, SIMD through System.Numerics.Tensors, GEMM through OpenBLAS with a managed
/// fallback, multithreaded with deterministic work splits. Op kernels live next to their ops (Ops/*/*.Cpu.cs).
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private readonly CpuBufferPool _pool = new();

    public Device Device => Device.Cpu;

    public BufferPool Pool => _pool;

    public Storage AllocateUnpooled(DType dtype, long length) => new CpuStorage(dtype, length);

    public void Synchronize()
    {
    }

    /// <summary>The whole storage of a CPU tensor (index with Offset and Strides).</summary>
    internal static Span<T> Whole<T>(Tensor t)
        where T : unmanaged => ((CpuStorage)t.Storage).Span<T>();

    /// <summary>The elements of a contiguous CPU tensor.</summary>
    internal static Span<T> Data<T>(Tensor t)
        where T : unmanaged => Whole<T>(t).Slice((int)t.Offset, (int)t.Numel);

    public void CopyFromHost<T>(ReadOnlySpan<T> source, Tensor destination)
        where T : unmanaged
    {
        if (destination.DType == DType.F32)
        {
            var dst = Data<float>(destination);
            CopyConverted(source, dst, dst.Length);
        }
        else if (destination.DType == DType.BF16)
        {
            // through float32: float64 values are rounded to float32 first, then to bf16
            var dst = Data<ushort>(destination);
            var wide = new float[dst.Length];
            CopyConverted<T, float>(source, wide, wide.Length);
            BFloat16.FromFloats(wide, dst);
        }
        else
        {
            var dst = Data<double>(destination);
            CopyConverted(source, dst, dst.Length);
        }
    }

    public void CopyToHost<T>(Tensor source, Span<T> destination)
        where T : unmanaged
    {
        if (source.DType == DType.F32)
        {
            var src = Data<float>(source);
            CopyConverted<float, T>(src, destination, src.Length);
        }
        else if (source.DType == DType.BF16)
        {
            var src = Data<ushort>(source);
            var wide = new float[src.Length];
            BFloat16.ToFloats(src, wide);
            CopyConverted<float, T>(wide, destination, wide.Length);
        }
        else
        {
            var src = Data<double>(source);
            CopyConverted<double, T>(src, destination, src.Length);
        }
    }

    /// <summary>
    /// Copies float32/float64 elements into float32/float64 storage: a plain copy where the types agree, otherwise the
    /// first <paramref name="count"/> elements converted one by one (float64 → float32 rounds to nearest).
    /// </summary>
    private static void CopyConverted<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination, int count)
        where TFrom : unmanaged
        where TTo : unmanaged
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(destination);
        }
        else if (typeof(TTo) == typeof(float))
        {
            var src = MemoryMarshal.Cast<TFrom, double>(source);
            var dst = MemoryMarshal.Cast<TTo, float>(destination);
            for (var i = 0; i < count; i++)
            {
                dst[i] = (float)src[i];
            }
        }
        else
        {
            var src = MemoryMarshal.Cast<TFrom, float>(source);
            var dst = MemoryMarshal.Cast<TTo, double>(destination);
            for (var i = 0; i < count; i++)
            {
                dst[i] = src[i];
            }
        }
    }

    public void Copy(Tensor source, Tensor destination)
    {
        if (source.DType == DType.BF16)
        {
            CopyStrided<ushort>(source, destination);
            return;
        }
        DTypeDispatch.For(source.DType, CopyStrided<float>, CopyStrided<double>)(source, destination);
    }

    private static void CopyStrided<T>(Tensor source, Tensor destination)
        where T : unmanaged
    {
        var runs = new StridedRuns(destination.Shape, (source.Offset, source.Strides), (destination.Offset, destination.Strides));
        var srcStorage = (CpuStorage)source.Storage;
        var dstStorage = (CpuStorage)destination.Storage;
        var n = runs.InnerLength;
        var ss = runs.InnerStrides[0];
        var ds = runs.InnerStrides[1];
        CpuParallel.For(runs.OuterCount, Math.Max(1, 16384 / Math.Max(1, n)), (start, end) =>
        {
            var src = srcStorage.Span<T>();
            var dst = dstStorage.Span<T>();
            Span<long> off = stackalloc long[2];
            Span<int> index = stackalloc int[runs.OuterRank];
            runs.Start(start, off, index);
            // every offset below was bounds-checked against the storage when the views were made
            ref var s0 = ref MemoryMarshal.GetReference(src);
            ref var d0 = ref MemoryMarshal.GetReference(dst);
            for (var o = start; o < end; o++)
            {
                if (ss == 1 && ds == 1)
                {
                    src.Slice((int)off[0], n).CopyTo(dst.Slice((int)off[1], n));
                }
                else
                {
                    nint si = (nint)off[0], di = (nint)off[1];
                    for (var i = 0; i < n; i++, si += ss, di += ds)
                    {
                        Unsafe.Add(ref d0, di) = Unsafe.Add(ref s0, si);
                    }
                }
                if (o + 1 < end)
                {
                    runs.Next(index, off);
                }
            }
        });
    }

    public void Fill(Tensor destination, double value)
    {
        if (destination.DType == DType.BF16)
        {
            Data<ushort>(destination).Fill(BFloat16.FromFloat((float)value));
            return;
        }
        DTypeDispatch.For(destination.DType, Fill<float>, Fill<double>)(destination, value);
    }

    private static void Fill<T>(Tensor destination, double value)
        where T : unmanaged, INumberBase<T> => Data<T>(destination).Fill(T.CreateTruncating(value));

    public void FillNormal(Tensor destination, ulong seed, ulong offset)
    {
        DTypeDispatch.For(destination.DType, FillNormal<float>, FillNormal<double>)(destination, seed, offset);
    }

    /// <summary>Element i is the Philox normal of counter offset + i, drawn in the destination's own precision.</summary>
    private static void FillNormal<T>(Tensor destination, ulong seed, ulong offset)
        where T : unmanaged, INumberBase<T>
    {
        var n = (int)destination.Numel;
        var storage = (CpuStorage)destination.Storage;
        var baseIndex = (int)destination.Offset;
        CpuParallel.For(n, 8192, (s, e) =>
        {
            var d = storage.Span<T>().Slice(baseIndex);
            for (var i = s; i < e; i++)
            {
                // one branch per instantiation, folded away by the JIT; converting float to float is the identity
                d[i] = typeof(T) == typeof(float)
                    ? T.CreateTruncating(Philox.NormalFloat(seed, offset + (ulong)i))
                    : T.CreateTruncating(Philox.NormalDouble(seed, offset + (ulong)i));
            }
        });
    }

    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high)
    {
        var n = (int)destination.Numel;
        var storage = (CpuStorage)destination.Storage;
        var baseIndex = (int)destination.Offset;
        if (destination.DType == DType.F32)
        {
            float lo = (float)low, span = (float)(high - low);
            CpuParallel.For(n, 8192, (s, e) =>
            {
                var d = storage.Span<float>().Slice(baseIndex);
                for (var i = s; i < e; i++)
                {
                    d[i] = lo + span * Philox.UniformFloatAt(seed, offset + (ulong)i);
                }
            });
        }
        else
        {
            CpuParallel.For(n, 8192, (s, e) =>
            {
                var d = storage.Span<double>().Slice(baseIndex);
                for (var i = s; i < e; i++)
                {
                    d[i] = low + (high - low) * Philox.UniformDoubleAt(seed, offset + (ulong)i);
                }
            });
        }
    }

    /// <summary>Converts a double scalar to T.</summary>
    internal static T Scalar<T>(double value)
        where T : INumberBase<T> => T.CreateTruncating(value);
}
