using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Row-major GEMM entry points: <see cref="Single{T}"/> runs on the calling thread (OpenBLAS or managed);
/// <see cref="Parallel{T}"/> splits the rows of C into fixed blocks across threads (bit-identical for any timing).
/// </summary>
public static unsafe class Gemm
{
    /// <summary>"openblas" or "managed (reason)".</summary>
    public static string Implementation => OpenBlas.IsAvailable ? "openblas" : $"managed ({OpenBlas.UnavailableReason})";

    /// <summary><see cref="Implementation"/> with OpenBLAS's kernel family, e.g. "openblas (SkylakeX kernels)", for reports.</summary>
    public static string? OpenBlasCore => OpenBlas.CoreName;

    public static string Description => OpenBlas.IsAvailable ? $"openblas ({OpenBlas.CoreName ?? "?"} kernels)" : Implementation;

    /// <summary>Forces the managed kernels even when OpenBLAS is present (tests compare the two).</summary>
    public static bool ForceManaged { get; set; }

    public static void Single<T>(bool ta, bool tb, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        CheckExtent("A", a.Length, ta ? k : m, ta ? m : k, lda);
        CheckExtent("B", b.Length, tb ? n : k, tb ? k : n, ldb);
        CheckExtent("C", c.Length, m, n, ldc);
        if (!ForceManaged && OpenBlas.IsAvailable && k > 0)
        {
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* pc = c)
            {
                if (typeof(T) == typeof(float))
                {
                    OpenBlas.Sgemm(ta, tb, m, n, k, float.CreateTruncating(alpha), (float*)pa, lda, (float*)pb, ldb, float.CreateTruncating(beta), (float*)pc, ldc);
                }
                else
                {
                    OpenBlas.Dgemm(ta, tb, m, n, k, double.CreateTruncating(alpha), (double*)pa, lda, (double*)pb, ldb, double.CreateTruncating(beta), (double*)pc, ldc);
                }
            }
            return;
        }
        ManagedGemm.Run(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>A row-major [rows, cols] matrix with leading dimension ld must fit in the span (native code reads by pointer).</summary>
    private static void CheckExtent(string name, int length, int rows, int cols, int ld)
    {
        if (rows > 0 && cols > 0 && (ld < cols || (long)(rows - 1) * ld + cols > length))
        {
            throw new ArgumentException($"GEMM operand {name}: a [{rows}, {cols}] matrix with leading dimension {ld} does not fit in {length} elements");
        }
    }

    /// <summary>
    /// Like <see cref="Single{T}"/> but with the rows of C split into blocks that threads share. The blocks depend only
    /// on the shape (at most <see cref="MaxRowBlocks"/>, whole multiples of <see cref="RowAlignment"/> rows), never on
    /// the thread count: OpenBLAS computes the rows of a block's ragged tail with other kernels (another summation
    /// order), so a split that followed the thread count would change results with it.
    /// </summary>
    public static void Parallel<T>(bool ta, bool tb, int m, int n, int k, T alpha, T[] a, int aOffset, int lda, T[] b, int bOffset, int ldb, T beta, T[] c, int cOffset, int ldc)
        where T : unmanaged, INumber<T>
    {
        var work = (long)m * n * Math.Max(k, 1);
        var blocks = (int)Math.Clamp(work / 2_000_000, 1, MaxRowBlocks);
        var rowsPer = (m + blocks - 1) / blocks;
        rowsPer = Math.Min(m, (rowsPer + RowAlignment - 1) / RowAlignment * RowAlignment);
        CpuParallel.For(m, Math.Max(1, rowsPer), (r0, r1) =>
        {
            var rows = r1 - r0;
            var aSpan = ta ? a.AsSpan(aOffset + r0) : a.AsSpan(aOffset + r0 * lda);
            Single(ta, tb, rows, n, k, alpha, aSpan, lda, b.AsSpan(bOffset), ldb, beta, c.AsSpan(cOffset + r0 * ldc), ldc);
        });
    }

    /// <summary>Most row blocks of a parallel GEMM (enough for the machines the engine runs on; fixed for determinism).</summary>
    public const int MaxRowBlocks = 8;

    /// <summary>Row blocks start at multiples of this (OpenBLAS's widest single-precision row unroll).</summary>
    private const int RowAlignment = 32;
}
