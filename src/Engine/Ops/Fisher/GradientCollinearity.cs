namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// For per-sample gradients G [N, P]: cosines[i] = cos(g_i, ḡ) with ḡ the mean row (0 when a norm is 0), and
    /// gram = G·Gᵀ/N [N, N] (the empirical Fisher's nonzero spectrum lives in this matrix).
    /// </summary>
    void GradientCollinearity(Tensor perSample, Tensor cosines, Tensor gram);
}

/// <summary>
/// How collinear per-sample gradients are (the paper's justification for a rank-1 Fisher: late-timestep
/// per-sample gradients align with their mean). The top-eigenvalue share of the Gram matrix is the fraction of
/// the empirical Fisher's trace carried by its leading direction.
/// </summary>
public static class GradientCollinearity
{
    /// <summary>Cosine of each row to the mean row ([N]) and the Gram matrix G·Gᵀ/N ([N, N]).</summary>
    public static (Tensor Cosines, Tensor Gram) Compute(Tensor perSample)
    {
        const string op = "GradientCollinearity";
        perSample.EnsureAlive(op);
        TensorOpException.Rank(op, perSample, 2, "per-sample gradients");
        var g = perSample.Contiguous();
        var n = g.Shape[0];
        var cosines = Tensor.Empty([n], g.DType, g.Device);
        var gram = Tensor.Empty([n, n], g.DType, g.Device);
        g.Backend.GradientCollinearity(g, cosines, gram);
        return (cosines, gram);
    }

    /// <summary>λ1/Σλ and λ1²/Σλ² of a symmetric positive semi-definite Gram matrix (row-major n×n).</summary>
    public static (double Share, double SquaredShare) TopEigenvalueShare(double[] gram, int n)
    {
        var eigenvalues = SymmetricEigen.Eigenvalues(gram, n);
        double top = 0, sum = 0, sumSquares = 0;
        foreach (var raw in eigenvalues)
        {
            var l = Math.Max(raw, 0);  // rounding can leave tiny negative eigenvalues of a PSD matrix
            top = Math.Max(top, l);
            sum += l;
            sumSquares += l * l;
        }
        return sum > 0 ? (top / sum, top * top / sumSquares) : (0, 0);
    }
}
