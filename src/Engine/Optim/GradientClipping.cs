namespace NativeTrustRegion.Engine.Optim;

/// <summary>Clipping by global norm over one flat gradient vector (torch.nn.utils.clip_grad_norm_ semantics).</summary>
public static class GradientClipping
{
    /// <summary>Scales <paramref name="gradient"/> so its L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static double ClipGlobalNorm(Tensor gradient, double maxNorm)
    {
        var norm = Math.Sqrt(VectorOps.SquaredNorm(gradient));
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            VectorOps.ScaleInPlace(gradient, maxNorm / (norm + 1e-6));
        }
        return norm;
    }
}
