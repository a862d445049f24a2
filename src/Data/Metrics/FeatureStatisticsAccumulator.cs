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
    private readonly double[] scatter; // Σ (x−s)(x−s)ᵀ, D×D row-major
    private long count;

    public long Count => count;
    public int Dimension => dimension;

    public FeatureStatisticsAccumulator(int dimension)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        this.dimension = dimension;
        shift = new double[dimension];
        sum = new double[dimension];
        scatter = new double[(long)dimension * dimension];
    }

    public void Add(ReadOnlySpan<float> rows, int n)
    {
        CheckShape(rows.Length, n);
        if (n == 0) return;
        if (count == 0) for (int j = 0; j < dimension; j++) shift[j] = rows[j];
        var transposed = new double[(long)dimension * n]; // D×n block of (x − s)ᵀ
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++)
                transposed[j * n + i] = rows[i * dimension + j] - shift[j];
        AddCentred(transposed, n);
    }

    public void Add(ReadOnlySpan<double> rows, int n)
    {
        CheckShape(rows.Length, n);
        if (n == 0) return;
        if (count == 0) for (int j = 0; j < dimension; j++) shift[j] = rows[j];
        var transposed = new double[(long)dimension * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dimension; j++)
                transposed[j * n + i] = rows[i * dimension + j] - shift[j];
        AddCentred(transposed, n);
    }

    private void AddCentred(double[] transposed, int n)
    {
        for (int j = 0; j < dimension; j++)
        {
            ReadOnlySpan<double> values = transposed.AsSpan(j * n, n);
            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(values[i])) throw new ArgumentException($"feature row {count + i} has a non-finite value at dimension {j}");
                sum[j] += values[i];
            }
        }
        double[] rows = MatrixProduct.Transpose(transposed, dimension, n); // n×D
        double[] block = MatrixProduct.Multiply(transposed, rows, dimension, n, dimension);
        MatrixProduct.AddScaled(scatter, block, 1.0);
        count += n;
    }

    public FeatureStatistics ToStatistics()
    {
        if (count < 2) throw new InvalidOperationException($"need at least 2 feature rows for a covariance, have {count}");
        var mean = new double[dimension];
        for (int j = 0; j < dimension; j++) mean[j] = shift[j] + sum[j] / count;
        var covariance = new double[(long)dimension * dimension];
        for (int i = 0; i < dimension; i++)
        {
            for (int j = i; j < dimension; j++)
            {
                // Exactly symmetric: average the two (equal up to rounding) scatter entries.
                double s = 0.5 * (scatter[(long)i * dimension + j] + scatter[(long)j * dimension + i]);
                double value = (s - sum[i] * sum[j] / count) / (count - 1);
                covariance[(long)i * dimension + j] = value;
                covariance[(long)j * dimension + i] = value;
            }
        }
        return new FeatureStatistics(mean, covariance, count);
    }

    private void CheckShape(int length, int n)
    {
        if (n < 0 || length < (long)n * dimension)
            throw new ArgumentException($"{length} values do not hold {n} rows of {dimension} features");
    }
}
