using System.Numerics;
using System.Runtime.CompilerServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Row-major GEMM in managed code, used when OpenBLAS is absent: C = alpha·op(A)·op(B) + beta·C.
/// Blocks of A and B are packed into contiguous panels; a 4-row × 2-vector register tile accumulates with SIMD.
/// </summary>
internal static class ManagedGemm
{
    private const int BlockK = 256;
    private const int BlockN = 512;

    public static void Run<T>(bool ta, bool tb, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, INumber<T>
    {
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == T.Zero)
            {
                row.Clear();
            }
            else if (beta != T.One)
            {
                for (var j = 0; j < n; j++)
                {
                    row[j] *= beta;
                }
            }
        }
        if (k == 0 || alpha == T.Zero)
        {
            return;
        }
        var packA = new T[m * Math.Min(k, BlockK)];
        var packB = new T[Math.Min(k, BlockK) * Math.Min(n, BlockN)];
        for (var k0 = 0; k0 < k; k0 += BlockK)
        {
            var kc = Math.Min(BlockK, k - k0);
            // pack alpha·A[:, k0:k0+kc] row-major [m, kc]
            for (var i = 0; i < m; i++)
            {
                for (var p = 0; p < kc; p++)
                {
                    var v = ta ? a[(k0 + p) * lda + i] : a[i * lda + k0 + p];
                    packA[i * kc + p] = alpha * v;
                }
            }
            for (var j0 = 0; j0 < n; j0 += BlockN)
            {
                var nc = Math.Min(BlockN, n - j0);
                for (var p = 0; p < kc; p++)
                {
                    for (var j = 0; j < nc; j++)
                    {
                        packB[p * nc + j] = tb ? b[(j0 + j) * ldb + k0 + p] : b[(k0 + p) * ldb + j0 + j];
                    }
                }
                Kernel(m, nc, kc, packA, packB, c, ldc, j0);
            }
        }
    }

    private static void Kernel<T>(int m, int nc, int kc, T[] packA, T[] packB, Span<T> c, int ldc, int j0)
        where T : unmanaged, INumber<T>
    {
        var w = Vector<T>.Count;
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var j = 0;
            for (; j + 2 * w <= nc; j += 2 * w)
            {
                Vector<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                for (var p = 0; p < kc; p++)
                {
                    var b0 = new Vector<T>(packB, p * nc + j);
                    var b1 = new Vector<T>(packB, p * nc + j + w);
                    var a0 = new Vector<T>(packA[i * kc + p]);
                    var a1 = new Vector<T>(packA[(i + 1) * kc + p]);
                    var a2 = new Vector<T>(packA[(i + 2) * kc + p]);
                    var a3 = new Vector<T>(packA[(i + 3) * kc + p]);
                    c00 += a0 * b0; c01 += a0 * b1;
                    c10 += a1 * b0; c11 += a1 * b1;
                    c20 += a2 * b0; c21 += a2 * b1;
                    c30 += a3 * b0; c31 += a3 * b1;
                }
                AddTo(c, i * ldc + j0 + j, c00, c01, w);
                AddTo(c, (i + 1) * ldc + j0 + j, c10, c11, w);
                AddTo(c, (i + 2) * ldc + j0 + j, c20, c21, w);
                AddTo(c, (i + 3) * ldc + j0 + j, c30, c31, w);
            }
            for (; j < nc; j++)
            {
                for (var r = 0; r < 4; r++)
                {
                    var acc = T.Zero;
                    for (var p = 0; p < kc; p++)
                    {
                        acc += packA[(i + r) * kc + p] * packB[p * nc + j];
                    }
                    c[(i + r) * ldc + j0 + j] += acc;
                }
            }
        }
        for (; i < m; i++)
        {
            var j = 0;
            for (; j + w <= nc; j += w)
            {
                Vector<T> acc = default;
                for (var p = 0; p < kc; p++)
                {
                    acc += new Vector<T>(packA[i * kc + p]) * new Vector<T>(packB, p * nc + j);
                }
                var dst = c.Slice(i * ldc + j0 + j, w);
                (new Vector<T>(dst) + acc).CopyTo(dst);
            }
            for (; j < nc; j++)
            {
                var acc = T.Zero;
                for (var p = 0; p < kc; p++)
                {
                    acc += packA[i * kc + p] * packB[p * nc + j];
                }
                c[i * ldc + j0 + j] += acc;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo<T>(Span<T> c, int offset, Vector<T> v0, Vector<T> v1, int w)
        where T : unmanaged, INumber<T>
    {
        var d0 = c.Slice(offset, w);
        var d1 = c.Slice(offset + w, w);
        (new Vector<T>(d0) + v0).CopyTo(d0);
        (new Vector<T>(d1) + v1).CopyTo(d1);
    }
}
