using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>The rank-1 Fisher penalty gradient and its fusion with Adam for k = 1..17 directions, and gradient collinearity (a cuBLAS Gram matrix).</summary>
internal sealed class FisherCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        const int p = VectorCases.Parameters;
        foreach (var k in new[] { 1, 3, 9, 17 })
        {
            yield return OpCase.Comparison("Fisher/Rank1Fisher", $"rank-1 penalty gradient k={k}", 1e-6, d =>
            {
                var (param, grad, _, _) = VectorCases.AdamState(d, p);
                var (dirs, rho, anchors) = Directions(d, k, p);
                var penalty = Rank1Fisher.PenaltyGradient(param, grad, dirs, rho, anchors, 0.5);
                return [grad.ToDoubleArray(), [penalty]];
            });
            yield return OpCase.Comparison("Fisher/Rank1Fisher", $"fused rank-1 Fisher + Adam k={k}", 1e-6, d =>
            {
                var (param, grad, m, v) = VectorCases.AdamState(d, p);
                var (dirs, rho, anchors) = Directions(d, k, p);
                var penalty = Tensor.Zeros([], device: d);
                Rank1Fisher.AdamStep(param, grad, m, v, dirs, rho, anchors, 0.5, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 3), penalty);
                return [param.ToDoubleArray(), grad.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray(), penalty.ToDoubleArray()];
            });
        }
        yield return OpCase.Comparison("Fisher/GradientCollinearity", "gradient collinearity [48, 20000]", 1e-5, d =>
        {
            var u = new OpInput([1, 20000], 140).Create(DType.F32, []);
            var noise = new OpInput([48, 20000], 141, 0.3).Create(DType.F32, []);
            var coef = new OpInput([48, 1], 142, 0.2, 1).Create(DType.F32, []);
            var g = Ops.Add(Ops.Mul(coef, u.Expand(48, 20000)), noise).To(d);
            var (cos, gram) = GradientCollinearity.Compute(g);
            return [cos.ToDoubleArray(), gram.ToDoubleArray()];
        }) with { UsesVendorLibrary = true };
    }

    private static (Tensor Directions, double[] Rho, double[] Anchors) Directions(Device d, int k, int p)
    {
        var dirs = Ops.Affine(new OpInput([k, p], 160).Create(DType.F32, []), 1 / Math.Sqrt(p), 0).To(d);
        var rho = Enumerable.Range(0, k).Select(i => 1.0 + i).ToArray();
        var anchors = Enumerable.Range(0, k).Select(i => 0.1 * i - 0.2).ToArray();
        return (dirs, rho, anchors);
    }
}
