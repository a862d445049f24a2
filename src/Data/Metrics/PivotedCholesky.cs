namespace NativeTrustRegion.Data;

/// <summary>
/// Cholesky factorisation with complete (diagonal) pivoting of a symmetric positive semi-definite
/// matrix, stopping at its numerical rank (as LAPACK dpstrf): Σ ≈ L·Lᵀ with L n×r. Stable for singular
/// covariances (e.g. fewer samples than feature dimensions), where plain Cholesky fails.
/// </summary>
public static class PivotedCholesky
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Factor L (n×rank, row-major, rows in the original order so that Σ ≈ L·Lᵀ exactly as indexed).
    /// Pivots whose remaining diagonal falls below n·ε·max(diag Σ) end the factorisation (negative
    /// diagonals from rounding count as zero).
    /// </summary>
    public static double[] Factor(ReadOnlySpan<double> matrix, int n, out int rank)
    {
        if (matrix.Length < (long)n * n) throw new ArgumentException($"matrix needs {n}×{n} values");
        double[] a = matrix[..(n * n)].ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        double maxDiagonal = 0;
        for (int i = 0; i < n; i++) maxDiagonal = Math.Max(maxDiagonal, a[i * n + i]);
        double tolerance = n * MachineEpsilon * maxDiagonal;
        var column = new double[n];
        rank = 0;
        for (int j = 0; j < n; j++)
        {
            int pivot = j;
            for (int i = j + 1; i < n; i++)
                if (a[i * n + i] > a[pivot * n + pivot]) pivot = i;
            double diagonal = a[pivot * n + pivot];
            if (!(diagonal > tolerance)) break;
            if (pivot != j) SwapSymmetric(a, n, j, pivot, order);
            double root = Math.Sqrt(diagonal);
            a[j * n + j] = root;
            int tail = n - j - 1;
            for (int i = j + 1; i < n; i++)
            {
                double value = a[i * n + j] / root;
                a[i * n + j] = value;
                column[i] = value;
            }
            // Trailing update A[i, j+1:] −= L[i, j]·L[j+1:, j] for all trailing rows (keeps the block symmetric).
            if (tail > 0)
            {
                ReadOnlySpan<double> l = column.AsSpan(j + 1, tail);
                for (int i = j + 1; i < n; i++)
                    MatrixProduct.AddScaled(a.AsSpan(i * n + j + 1, tail), l, -column[i]);
            }
            rank = j + 1;
        }

        var factor = new double[(long)n * rank];
        for (int row = 0; row < n; row++)
        {
            int original = order[row];
            for (int c = 0; c < rank && c <= row; c++) factor[original * rank + c] = a[row * n + c];
        }
        return factor;
    }

    private static void SwapSymmetric(double[] a, int n, int i, int j, int[] order)
    {
        // Swap rows i and j, then columns i and j.
        Span<double> rowI = a.AsSpan(i * n, n), rowJ = a.AsSpan(j * n, n);
        for (int c = 0; c < n; c++) (rowI[c], rowJ[c]) = (rowJ[c], rowI[c]);
        for (int r = 0; r < n; r++) (a[r * n + i], a[r * n + j]) = (a[r * n + j], a[r * n + i]);
        (order[i], order[j]) = (order[j], order[i]);
    }
}
