namespace NativeTrustRegion.Engine;

/// <summary>Eigenvalues of a small dense symmetric matrix by the cyclic Jacobi method (double precision, n up to a few hundred).</summary>
public static class SymmetricEigen
{
    /// <summary>The n eigenvalues of the symmetric row-major matrix <paramref name="matrix"/> (not modified), ascending.</summary>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"a {n}x{n} matrix needs {n * n} values, got {matrix.Length}");
        }
        var a = matrix.ToArray();
        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (var i = 0; i < n; i++)
            {
                diag += a[i * n + i] * a[i * n + i];
                for (var j = i + 1; j < n; j++)
                {
                    off += a[i * n + j] * a[i * n + j];
                }
            }
            if (off <= 1e-30 * Math.Max(diag, double.Epsilon))
            {
                break;
            }
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    var apq = a[p * n + q];
                    if (apq == 0)
                    {
                        continue;
                    }
                    // rotation angle that zeroes a[p, q]
                    var theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var akp = a[k * n + p];
                        var akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < n; k++)
                    {
                        var apk = a[p * n + k];
                        var aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = a[i * n + i];
        }
        Array.Sort(values);
        return values;
    }
}
