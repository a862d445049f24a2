namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// The rank-1 Fisher trust-region penalty of k past tasks, F_i = ρ_i u_i u_iᵀ anchored at u_i·θ_i* = b_i:
    /// adds λ Σ_i ρ_i (u_i·θ − b_i) u_i to <paramref name="grad"/> in place and returns λ/2 Σ_i ρ_i (u_i·θ − b_i)²
    /// (waits for the device). <paramref name="directions"/> is [k, P]; the dot products are taken in double.
    /// </summary>
    double Rank1PenaltyGradient(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda);

    /// <summary>
    /// Fused <see cref="Rank1PenaltyGradient"/> followed by <see cref="AdamUpdate"/> (the same numbers, grad included):
    /// one pass for the k dot products, one pass that adds the penalty gradient and applies Adam. Never waits for the
    /// device; the penalty value goes to <paramref name="penalty"/> (one element) when given.
    /// </summary>
    void Rank1FisherAdam(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda, AdamStep step, Tensor? penalty = null);
}

/// <summary>The rank-1 Fisher (EWC) trust region over flat parameter vectors, with argument checks.</summary>
public static class Rank1Fisher
{
    /// <summary>grad += λ Σ ρ_i (u_i·θ − b_i) u_i; returns the penalty λ/2 Σ ρ_i (u_i·θ − b_i)².</summary>
    public static double PenaltyGradient(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda)
    {
        Check(param, grad, directions, rho, anchors);
        return param.Backend.Rank1PenaltyGradient(param, grad, directions, rho, anchors, lambda);
    }

    /// <summary>The penalty gradient and the Adam step in one fused update (grad holds the penalised gradient afterwards).</summary>
    public static void AdamStep(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda, AdamStep step, Tensor? penalty = null)
    {
        Check(param, grad, directions, rho, anchors);
        foreach (var t in new[] { m, v })
        {
            TensorOpException.Compatible("Rank1FisherAdam", param, t);
            if (t.Numel != param.Numel || !t.IsContiguous)
            {
                throw new TensorOpException("Rank1FisherAdam", $"moment {t.Describe()} must be contiguous with {param.Numel} elements", "use the optimizer's flat moment buffers");
            }
        }
        if (penalty is not null && (penalty.Numel != 1 || penalty.Device != param.Device || !penalty.IsContiguous))
        {
            throw new TensorOpException("Rank1FisherAdam", $"penalty {penalty.Describe()} must be a one-element tensor on {param.Device}", "pass Tensor.Empty([], dtype, device)");
        }
        param.Backend.Rank1FisherAdam(param, grad, m, v, directions, rho, anchors, lambda, step, penalty);
    }

    /// <summary>λ ρ_i (d_i − b_i) per task and the penalty λ/2 Σ ρ_i (d_i − b_i)², in the order the kernels use.</summary>
    public static (double[] Coefficients, double Penalty) Coefficients(ReadOnlySpan<double> dots, double[] rho, double[] anchors, double lambda)
    {
        var coef = new double[dots.Length];
        var total = 0.0;
        for (var i = 0; i < dots.Length; i++)
        {
            var gap = dots[i] - anchors[i];
            coef[i] = lambda * rho[i] * gap;
            total += rho[i] * gap * gap;
        }
        return (coef, 0.5 * lambda * total);
    }

    private static void Check(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors)
    {
        const string op = "Rank1Fisher";
        param.EnsureAlive(op);
        grad.EnsureAlive(op);
        directions.EnsureAlive(op);
        TensorOpException.Compatible(op, param, grad);
        TensorOpException.Compatible(op, param, directions);
        if (!param.IsContiguous || !grad.IsContiguous || grad.Numel != param.Numel)
        {
            throw new TensorOpException(op, $"parameters {param.Describe()} and gradient {grad.Describe()} must be contiguous and of equal length", "use the flat buffers of a ParameterStore");
        }
        var k = rho.Length;
        if (anchors.Length != k || directions.Rank != 2 || directions.Shape[0] != k || directions.Shape[1] != param.Numel || !directions.IsContiguous)
        {
            throw new TensorOpException(op, $"directions {directions.Describe()} with {k} ρ and {anchors.Length} anchors do not fit {param.Numel} parameters",
                "give directions [k, P] (one unit direction per past task, contiguous) and k values each of ρ and anchors b_i = u_i·θ_i*");
        }
    }
}
