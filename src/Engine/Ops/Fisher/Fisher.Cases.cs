using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The rank-1 Fisher penalty gradient and its fusion with Adam for k = 1..17 directions (the fused step also at the
/// image model's 39.8M parameters, for the benchmark), and gradient collinearity (a cuBLAS Gram matrix).
/// </summary>
internal sealed class FisherCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        const int p = VectorCases.Parameters;
        foreach (var k in new[] { 1, 3, 9, 17 })
        {
            yield return OpCase.Prepared("Fisher/Rank1Fisher", $"rank-1 penalty gradient k={k}", 1e-6, d =>
            {
                var (param, grad, _, _) = VectorCases.AdamState(d, p);
                var (dirs, rho, anchors) = Directions(d, k, p);
                var penalty = 0.0;
                // reads θ and g once per direction pass, the k directions twice; writes g
                return new(() => penalty = Rank1Fisher.PenaltyGradient(param, grad, dirs, rho, anchors, 0.5), () => [grad.ToDoubleArray(), [penalty]], (12.0 + 8.0 * k) * p);
            });
            yield return FusedAdam($"fused rank-1 Fisher + Adam k={k}", k, p);
        }
        // the benchmark's paper size: every parameter of image-paper-resnet-sampling, one direction per finished task
        foreach (var k in new[] { 1, 3, 9 })
        {
            yield return FusedAdam($"fused rank-1 Fisher + Adam image-paper-resnet-sampling 39.8M k={k}", k, VectorCases.PaperParameters, drawOnDevice: true)
                with { Checks = OpChecks.Benchmark };
        }
        yield return OpCase.Prepared("Fisher/GradientCollinearity", "gradient collinearity [48, 20000]", 1e-5, d =>
        {
            var u = new OpInput([1, 20000], 140).Create(DType.F32, []);
            var noise = new OpInput([48, 20000], 141, 0.3).Create(DType.F32, []);
            var coef = new OpInput([48, 1], 142, 0.2, 1).Create(DType.F32, []);
            var g = Ops.Add(Ops.Mul(coef, u.Expand(48, 20000)), noise).To(d);
            Tensor? cos = null, gram = null;
            return new(() => (cos, gram) = GradientCollinearity.Compute(g), () => [cos!.ToDoubleArray(), gram!.ToDoubleArray()],
                4.0 * (48 * 20000 + 2 * 48 * 48), 2.0 * 48 * 48 * 20000);
        }) with { UsesVendorLibrary = true, Checks = OpChecks.Parity | OpChecks.Benchmark };
    }

    /// <summary>
    /// One Adam step with the rank-1 Fisher penalty fused in: pass 1 reads θ and the k directions, pass 2 reads θ, g, m,
    /// v and the k directions and writes θ, g, m, v ((36 + 8k) bytes per parameter).
    /// </summary>
    private static OpCase FusedAdam(string name, int k, int p, bool drawOnDevice = false) => OpCase.Prepared("Fisher/Rank1Fisher", name, 1e-6, d =>
    {
        var (param, grad, m, v) = VectorCases.AdamState(d, p, drawOnDevice);
        var (dirs, rho, anchors) = Directions(d, k, p, drawOnDevice);
        var penalty = Tensor.Zeros([], device: d);
        var step = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 3);
        return new(() => Rank1Fisher.AdamStep(param, grad, m, v, dirs, rho, anchors, 0.5, step, penalty),
            () => [param.ToDoubleArray(), grad.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray(), penalty.ToDoubleArray()], (36.0 + 8.0 * k) * p);
    });

    private static (Tensor Directions, double[] Rho, double[] Anchors) Directions(Device d, int k, int p, bool drawOnDevice = false)
    {
        var dirs = VectorCases.Drawn([k, p], 160, d, drawOnDevice, 1 / Math.Sqrt(p));
        var rho = Enumerable.Range(0, k).Select(i => 1.0 + i).ToArray();
        var anchors = Enumerable.Range(0, k).Select(i => 0.1 * i - 0.2).ToArray();
        return (dirs, rho, anchors);
    }
}
