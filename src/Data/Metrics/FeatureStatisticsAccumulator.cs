using MathNet.Numerics.LinearAlgebra;

namespace NativeTrustRegion.Data;

/// <summary>
/// Streams feature rows batch by batch into double-precision sums, so FID statistics of many
/// images never need all features in memory. To limit cancellation, sums are taken of x − s, where
/// the shift s is the first row seen (covariance is shift-invariant).
/// </summary>
public sealed class FeatureStatisticsAccumulator
{
    private readonly int dimension;
    private readonly double[] shift;
    private readonly double[] sum;
    private readonly Matrix<double> scatter; // Σ (x−s)(x−s)ᵀ
    private long count;

    public long Count => count;
    public int Dimension => dimension;

    public FeatureStatisticsAccumulator(int dimension)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        this.dimension = dimension;
        shift = new double[dimension];
        sum = new double[dimension];
        scatter = Matrix<double>.Build.Dense(dimension, dimension);
    }

    public void Add(ReadOnlySpan<float> rows, int n)
    {
        CheckShape(rows.Length, n);
        if (n == 0) return;
        var block = Matrix<double>.Build.Dense(n, dimension);
        if (count == 0) for (int j = 0; j < dimension; j++) shift[j] = rows[j];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++)
                block[i, j] = rows[i * dimension + j] - shift[j];
        AddCentred(block);
    }

    public void Add(ReadOnlySpan<double> rows, int n)
    {
        CheckShape(rows.Length, n);
        if (n == 0) return;
        var block = Matrix<double>.Build.Dense(n, dimension);
        if (count == 0) for (int j = 0; j < dimension; j++) shift[j] = rows[j];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++)
                block[i, j] = rows[i * dimension + j] - shift[j];
        AddCentred(block);
    }

    private void AddCentred(Matrix<double> block)
    {
        for (int i = 0; i < block.RowCount; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                double v = block[i, j];
                if (!double.IsFinite(v)) throw new ArgumentException($"feature row {count + i} has a non-finite value at dimension {j}");
                sum[j] += v;
            }
        }
        scatter.Add(block.TransposeThisAndMultiply(block), scatter);
        count += block.RowCount;
    }

    public FeatureStatistics ToStatistics()
    {
        if (count < 2) throw new InvalidOperationException($"need at least 2 feature rows for a covariance, have {count}");
        var mean = new double[dimension];
        for (int j = 0; j < dimension; j++) mean[j] = shift[j] + sum[j] / count;
        var covariance = new double[(long)dimension * dimension];
        for (int i = 0; i < dimension; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                double value = (scatter[i, j] - sum[i] * sum[j] / count) / (count - 1);
                covariance[(long)i * dimension + j] = value;
            }
        }
        // Exact symmetry (the scatter is symmetric up to rounding).
        for (int i = 0; i < dimension; i++)
            for (int j = i + 1; j < dimension; j++)
            {
                double a = covariance[(long)i * dimension + j], b = covariance[(long)j * dimension + i];
                covariance[(long)i * dimension + j] = covariance[(long)j * dimension + i] = 0.5 * (a + b);
            }
        return new FeatureStatistics(mean, covariance, count);
    }

    private void CheckShape(int length, int n)
    {
        if (n < 0 || length < (long)n * dimension)
            throw new ArgumentException($"{length} values do not hold {n} rows of {dimension} features");
    }
}
