namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y = alpha·x + beta·y over contiguous 1-D tensors of equal length.</summary>
    void Axpby(double alpha, Tensor x, double beta, Tensor y);

    /// <summary>Σ a_i·b_i, accumulated in double (synchronises).</summary>
    double Dot(Tensor a, Tensor b);

    /// <summary>One Adam(W) step over flat buffers; see <see cref="AdamStep"/>.</summary>
    void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step);
}

/// <summary>
/// Scalars of one Adam step: p ← p − lr·(m̂/(√v̂ + eps) + weightDecay·p) with bias corrections
/// m̂ = m/(1 − beta1^t), v̂ = v/(1 − beta2^t) (PyTorch Adam when weightDecay = 0).
/// </summary>
public readonly record struct AdamStep(double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay, long Step)
{
    public double BiasCorrection1 => 1 - Math.Pow(Beta1, Step);

    public double BiasCorrection2 => 1 - Math.Pow(Beta2, Step);
}

/// <summary>Operations on flat vectors (parameter, gradient, moment, Fisher buffers). Not differentiable.</summary>
public static class VectorOps
{
    public static void Axpby(double alpha, Tensor x, double beta, Tensor y)
    {
        Check("Axpby", x, y);
        y.Backend.Axpby(alpha, x, beta, y);
    }

    /// <summary>y += alpha·x.</summary>
    public static void Axpy(double alpha, Tensor x, Tensor y) => Axpby(alpha, x, 1, y);

    public static void ScaleInPlace(Tensor y, double s) => y.Backend.Axpby(0, y, s, y);

    public static double Dot(Tensor a, Tensor b)
    {
        Check("Dot", a, b);
        return a.Backend.Dot(a, b);
    }

    public static double SquaredNorm(Tensor a) => Dot(a, a);

    private static void Check(string op, Tensor x, Tensor y)
    {
        x.EnsureAlive(op);
        y.EnsureAlive(op);
        TensorOpException.Compatible(op, x, y);
        if (x.Numel != y.Numel || !x.IsContiguous || !y.IsContiguous)
        {
            throw new TensorOpException(op, $"vectors {x.Describe()} and {y.Describe()} must be contiguous and of equal length", "use flat buffers of the same parameter store");
        }
    }
}
