using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine;

/// <summary>
/// Eigenvalues (no vectors) of a real symmetric matrix: Householder reduction to tridiagonal form
/// (row-major, SIMD rank-2 updates) followed by the implicit QL algorithm with Wilkinson-type shifts
/// (as EISPACK tql1 / Numerical Recipes tqli). About 2n³ flops. Used by the gradient-collinearity diagnostic
/// (small Gram matrices) and the Fréchet distance (reduced covariances of up to a few thousand rows).
/// </summary>
public static class SymmetricEigen
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The n eigenvalues of the symmetric row-major matrix <paramref name="matrix"/> (not modified), ascending.</summary>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int n)
    {
        if (n < 0 || matrix.Length != (long)n * n)
        {
            throw new ArgumentException($"a {n}x{n} matrix needs {(long)n * n} values, got {matrix.Length}. Fix: pass the n·n row-major entries of a square matrix");
        }
        if (n == 0)
        {
            return [];
        }
        var a = matrix.ToArray();
        var diagonal = new double[n];
        var offDiagonal = new double[n]; // offDiagonal[i] couples i and i+1
        Tridiagonalise(a, n, diagonal, offDiagonal);
        ImplicitQl(diagonal, offDiagonal);
        Array.Sort(diagonal);
        return diagonal;
    }

    private static void Tridiagonalise(double[] a, int n, double[] d, double[] e)
    {
        var v = new double[n];
        var p = new double[n];
        for (var k = 0; k < n - 2; k++)
        {
            var m = n - k - 1;
            var start = k + 1;
            ReadOnlySpan<double> x = a.AsSpan(k * n + start, m); // = column k below the diagonal (symmetry)
            var norm = Math.Sqrt(TensorPrimitives.Dot(x, x));
            d[k] = a[k * n + k];
            if (norm == 0)
            {
                e[k] = 0;
                continue;
            }
            var alpha = x[0] > 0 ? -norm : norm;
            var vs = v.AsSpan(0, m);
            x.CopyTo(vs);
            vs[0] -= alpha;
            var vv = TensorPrimitives.Dot<double>(vs, vs);
            e[k] = alpha;
            if (vv == 0)
            {
                continue;
            }
            var beta = 2.0 / vv;
            // p = β·A22·v
            var ps = p.AsSpan(0, m);
            for (var i = 0; i < m; i++)
            {
                ps[i] = beta * TensorPrimitives.Dot<double>(a.AsSpan((start + i) * n + start, m), vs);
            }
            // w = p − (β/2)(pᵀv)·v, stored in p
            var kappa = 0.5 * beta * TensorPrimitives.Dot<double>(ps, vs);
            AddScaled(ps, vs, -kappa);
            // A22 −= v·wᵀ + w·vᵀ
            for (var i = 0; i < m; i++)
            {
                var row = a.AsSpan((start + i) * n + start, m);
                AddScaled(row, ps, -vs[i]);
                AddScaled(row, vs, -ps[i]);
            }
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 2) * n + n - 1];
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
    }

    /// <summary>target += factor · source.</summary>
    private static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double factor) =>
        TensorPrimitives.MultiplyAdd(source, factor, target, target);

    private static void ImplicitQl(double[] d, double[] e)
    {
        var n = d.Length;
        for (var l = 0; l < n; l++)
        {
            var iterations = 0;
            int m;
            do
            {
                for (m = l; m < n - 1; m++)
                {
                    var dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= MachineEpsilon * dd)
                    {
                        break;
                    }
                }
                if (m == l)
                {
                    break;
                }
                if (++iterations > 100)
                {
                    throw new ArithmeticException("tridiagonal QL iteration did not converge");
                }
                var g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                var r = Hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, shift = 0;
                var underflow = false;
                for (var i = m - 1; i >= l; i--)
                {
                    var f = s * e[i];
                    var b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        d[i + 1] -= shift;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - shift;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    shift = s * r;
                    d[i + 1] = g + shift;
                    g = c * r - b;
                }
                if (underflow)
                {
                    continue;
                }
                d[l] -= shift;
                e[l] = g;
                e[m] = 0;
            }
            while (m != l);
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y)
        {
            (x, y) = (y, x);
        }
        if (x == 0)
        {
            return 0;
        }
        var ratio = y / x;
        return x * Math.Sqrt(1 + ratio * ratio);
    }
}
