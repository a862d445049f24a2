namespace NativeTrustRegion.Data;

/// <summary>
/// Eigenvalues (no vectors) of a real symmetric matrix: Householder reduction to tridiagonal form
/// (row-major, SIMD rank-2 updates) followed by the implicit QL algorithm with Wilkinson-type shifts
/// (as EISPACK tql1 / Numerical Recipes tqli). About 2n³ flops.
/// </summary>
public static class SymmetricEigenvalues
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The n eigenvalues, ascending. Only the lower triangle's symmetric counterpart is assumed equal; pass a symmetric matrix.</summary>
    public static double[] Compute(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length < (long)n * n) throw new ArgumentException($"matrix needs {n}×{n} values");
        if (n == 0) return [];
        double[] a = matrix[..(n * n)].ToArray();
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
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1;
            int start = k + 1;
            ReadOnlySpan<double> x = a.AsSpan(k * n + start, m); // = column k below the diagonal (symmetry)
            double norm = Math.Sqrt(MatrixProduct.Dot(x, x));
            d[k] = a[k * n + k];
            if (norm == 0)
            {
                e[k] = 0;
                continue;
            }
            double alpha = x[0] > 0 ? -norm : norm;
            Span<double> vs = v.AsSpan(0, m);
            x.CopyTo(vs);
            vs[0] -= alpha;
            double vv = MatrixProduct.Dot(vs, vs);
            e[k] = alpha;
            if (vv == 0) continue;
            double beta = 2.0 / vv;
            // p = β·A22·v
            Span<double> ps = p.AsSpan(0, m);
            for (int i = 0; i < m; i++) ps[i] = beta * MatrixProduct.Dot(a.AsSpan((start + i) * n + start, m), vs);
            // w = p − (β/2)(pᵀv)·v, stored in p
            double kappa = 0.5 * beta * MatrixProduct.Dot(ps, vs);
            MatrixProduct.AddScaled(ps, vs, -kappa);
            // A22 −= v·wᵀ + w·vᵀ
            for (int i = 0; i < m; i++)
            {
                Span<double> row = a.AsSpan((start + i) * n + start, m);
                MatrixProduct.AddScaled(row, ps, -vs[i]);
                MatrixProduct.AddScaled(row, vs, -ps[i]);
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

    private static void ImplicitQl(double[] d, double[] e)
    {
        int n = d.Length;
        for (int l = 0; l < n; l++)
        {
            int iterations = 0;
            int m;
            do
            {
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= MachineEpsilon * dd) break;
                }
                if (m == l) break;
                if (++iterations > 100) throw new ArithmeticException("tridiagonal QL iteration did not converge");
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = Hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, shift = 0;
                int i;
                bool underflow = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * e[i];
                    double b = c * e[i];
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
                if (underflow) continue;
                d[l] -= shift;
                e[l] = g;
                e[m] = 0;
            } while (m != l);
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double ratio = y / x;
        return x * Math.Sqrt(1 + ratio * ratio);
    }
}
