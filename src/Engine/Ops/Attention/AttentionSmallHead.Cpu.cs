using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The per-head matrix products of CPU attention for small head dimensions (d ≤ <see cref="SmallHeadDim"/>), in SIMD
/// loops instead of OpenBLAS calls. At the image models' 8x8 attention (64 tokens, heads of 8) each product is
/// [64, 8]·[8, 64] or [64, 64]·[64, 8]: a few thousand multiply-adds, so a library call's fixed cost (argument checks,
/// packing, buffer set-up) was most of the time. Each product is written as a sum of rows scaled by one operand's
/// entries, vectorised along the rows; the sum runs in the same order for every element, whatever the thread count.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Largest head dimension that takes the loops below; larger heads use OpenBLAS.</summary>
    internal const int SmallHeadDim = 16;

    /// <summary>bt[k·rows + j] = b[j·cols + k]: a [rows, cols] row-major block transposed.</summary>
    private static void TransposeBlock<T>(ReadOnlySpan<T> b, Span<T> bt, int rows, int cols)
    {
        for (var j = 0; j < rows; j++)
        {
            var row = b.Slice(j * cols, cols);
            for (var k = 0; k < cols; k++)
            {
                bt[k * rows + j] = row[k];
            }
        }
    }

    /// <summary>c[i, j] = alpha·Σ_k a[i, k]·bt[k, j] for a [n, d], bt [d, m] (the transposed second operand), c [n, m].</summary>
    private static void ProductWithTransposed<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> bt, Span<T> c, int n, int m, int d, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector<T>.Count;
        var va = new Vector<T>(alpha);
        for (var i = 0; i < n; i++)
        {
            var ai = a.Slice(i * d, d);
            var ci = c.Slice(i * m, m);
            var j = 0;
            for (; j + w <= m; j += w)
            {
                var acc = Vector<T>.Zero;
                for (var k = 0; k < d; k++)
                {
                    acc += new Vector<T>(ai[k]) * new Vector<T>(bt.Slice(k * m + j, w));
                }
                (acc * va).CopyTo(ci.Slice(j, w));
            }
            for (; j < m; j++)
            {
                var s = T.Zero;
                for (var k = 0; k < d; k++)
                {
                    s += ai[k] * bt[k * m + j];
                }
                ci[j] = s * alpha;
            }
        }
    }

    /// <summary>c[i, :] (+)= alpha·Σ_j p[i, j]·b[j, :] for p [n, m], b [m, d], c [n, d].</summary>
    private static void RowCombination<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> b, Span<T> c, int n, int m, int d, T alpha, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector<T>.Count;
        var va = new Vector<T>(alpha);
        for (var i = 0; i < n; i++)
        {
            var pi = p.Slice(i * m, m);
            var ci = c.Slice(i * d, d);
            var k = 0;
            for (; k + w <= d; k += w)
            {
                var acc = Vector<T>.Zero;
                for (var j = 0; j < m; j++)
                {
                    acc += new Vector<T>(pi[j]) * new Vector<T>(b.Slice(j * d + k, w));
                }
                acc *= va;
                if (accumulate)
                {
                    acc += new Vector<T>(ci.Slice(k, w));
                }
                acc.CopyTo(ci.Slice(k, w));
            }
            for (; k < d; k++)
            {
                var s = T.Zero;
                for (var j = 0; j < m; j++)
                {
                    s += pi[j] * b[j * d + k];
                }
                s *= alpha;
                ci[k] = accumulate ? ci[k] + s : s;
            }
        }
    }
}
