using System.Numerics;
using System.Runtime.InteropServices;

namespace NativeTrustRegion.Data;

/// <summary>
/// Dense double-precision matrix products on row-major arrays, SIMD-vectorised, cache-blocked and
/// split over cores (MathNet's managed provider is an order of magnitude slower for the sizes FID
/// needs, D = 256…2048). Products are computed in dot-product form C[i, j] = A[i, :]·Bᵀ[j, :], so every
/// inner loop streams two contiguous rows.
/// </summary>
public static class MatrixProduct
{
    private const int RowBlock = 32;
    private const int ColumnBlock = 64;
    private const int DepthBlock = 256;

    /// <summary>C = A·B with A m×k, B k×n (row-major); returns C (m×n, row-major).</summary>
    public static double[] Multiply(double[] a, double[] b, int m, int k, int n)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n)
            throw new ArgumentException($"buffers too small for a {m}×{k} by {k}×{n} product");
        return MultiplyByTransposed(a, Transpose(b, k, n), m, k, n);
    }

    /// <summary>C = A·Btᵀ with A m×k and Bt n×k (row-major, i.e. B given transposed); returns C (m×n).</summary>
    public static double[] MultiplyByTransposed(double[] a, double[] bt, int m, int k, int n)
    {
        if (a.Length < (long)m * k || bt.Length < (long)n * k)
            throw new ArgumentException($"buffers too small for a {m}×{k} by ({n}×{k})ᵀ product");
        var c = new double[(long)m * n];
        int blocks = (m + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, block =>
        {
            int rowStart = block * RowBlock, rowEnd = Math.Min(m, rowStart + RowBlock);
            for (int depthStart = 0; depthStart < k; depthStart += DepthBlock)
            {
                int length = Math.Min(DepthBlock, k - depthStart);
                for (int columnStart = 0; columnStart < n; columnStart += ColumnBlock)
                {
                    int columnEnd = Math.Min(n, columnStart + ColumnBlock);
                    for (int i = rowStart; i < rowEnd; i += 2)
                    {
                        bool twoRows = i + 1 < rowEnd;
                        ReadOnlySpan<double> a0 = a.AsSpan(i * k + depthStart, length);
                        ReadOnlySpan<double> a1 = twoRows ? a.AsSpan((i + 1) * k + depthStart, length) : a0;
                        for (int j = columnStart; j < columnEnd; j += 2)
                        {
                            bool twoColumns = j + 1 < columnEnd;
                            ReadOnlySpan<double> b0 = bt.AsSpan(j * k + depthStart, length);
                            ReadOnlySpan<double> b1 = twoColumns ? bt.AsSpan((j + 1) * k + depthStart, length) : b0;
                            DotTile(a0, a1, b0, b1, out double d00, out double d01, out double d10, out double d11);
                            c[i * n + j] += d00;
                            if (twoColumns) c[i * n + j + 1] += d01;
                            if (twoRows)
                            {
                                c[(i + 1) * n + j] += d10;
                                if (twoColumns) c[(i + 1) * n + j + 1] += d11;
                            }
                        }
                    }
                }
            }
        });
        return c;
    }

    /// <summary>The four dot products of rows (a0, a1) with rows (b0, b1), all of equal length.</summary>
    private static void DotTile(ReadOnlySpan<double> a0, ReadOnlySpan<double> a1, ReadOnlySpan<double> b0, ReadOnlySpan<double> b1,
        out double d00, out double d01, out double d10, out double d11)
    {
        int length = a0.Length;
        int i = 0;
        d00 = d01 = d10 = d11 = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<double>.Count)
        {
            int width = Vector<double>.Count;
            ref double ra0 = ref MemoryMarshal.GetReference(a0), ra1 = ref MemoryMarshal.GetReference(a1);
            ref double rb0 = ref MemoryMarshal.GetReference(b0), rb1 = ref MemoryMarshal.GetReference(b1);
            Vector<double> s00 = Vector<double>.Zero, s01 = Vector<double>.Zero, s10 = Vector<double>.Zero, s11 = Vector<double>.Zero;
            for (; i <= length - width; i += width)
            {
                Vector<double> x0 = Vector.LoadUnsafe(ref ra0, (nuint)i), x1 = Vector.LoadUnsafe(ref ra1, (nuint)i);
                Vector<double> y0 = Vector.LoadUnsafe(ref rb0, (nuint)i), y1 = Vector.LoadUnsafe(ref rb1, (nuint)i);
                s00 = Vector.FusedMultiplyAdd(x0, y0, s00);
                s01 = Vector.FusedMultiplyAdd(x0, y1, s01);
                s10 = Vector.FusedMultiplyAdd(x1, y0, s10);
                s11 = Vector.FusedMultiplyAdd(x1, y1, s11);
            }
            d00 = Vector.Sum(s00);
            d01 = Vector.Sum(s01);
            d10 = Vector.Sum(s10);
            d11 = Vector.Sum(s11);
        }
        for (; i < length; i++)
        {
            d00 += a0[i] * b0[i];
            d01 += a0[i] * b1[i];
            d10 += a1[i] * b0[i];
            d11 += a1[i] * b1[i];
        }
    }

    /// <summary>Transpose of an m×n row-major matrix (→ n×m).</summary>
    public static double[] Transpose(double[] a, int m, int n)
    {
        var t = new double[(long)m * n];
        const int tile = 32;
        for (int i0 = 0; i0 < m; i0 += tile)
            for (int j0 = 0; j0 < n; j0 += tile)
                for (int i = i0; i < Math.Min(m, i0 + tile); i++)
                    for (int j = j0; j < Math.Min(n, j0 + tile); j++)
                        t[j * m + i] = a[i * n + j];
        return t;
    }

    /// <summary>target += factor · source (element-wise, SIMD).</summary>
    public static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var f = new Vector<double>(factor);
            int width = Vector<double>.Count;
            ref double rt = ref MemoryMarshal.GetReference(target);
            ref double rs = ref MemoryMarshal.GetReference(source[..target.Length]);
            for (; i <= target.Length - width; i += width)
                Vector.FusedMultiplyAdd(f, Vector.LoadUnsafe(ref rs, (nuint)i), Vector.LoadUnsafe(ref rt, (nuint)i)).StoreUnsafe(ref rt, (nuint)i);
        }
        for (; i < target.Length; i++) target[i] += factor * source[i];
    }
}
