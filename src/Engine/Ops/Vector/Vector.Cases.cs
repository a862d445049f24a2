using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>The optimizer's flat-vector kernels on a million parameters: axpby, a float64-accumulated dot product, the Adam update (bit-identical).</summary>
internal sealed class VectorCases : IOpCaseSource
{
    /// <summary>Flat parameter count: a million and three, so no kernel gets a multiple of its block size.</summary>
    internal const int Parameters = 1_000_003;

    public IEnumerable<OpCase> Cases()
    {
        const int p = Parameters;
        yield return OpCase.Comparison("Vector/VectorOps", "axpby", OpTolerance.Exact, d =>
        {
            var x = Flat(130, p).To(d);
            var y = Flat(131, p).To(d);
            VectorOps.Axpby(0.5, x, -1.25, y);
            return [y.ToDoubleArray()];
        });
        yield return OpCase.Comparison("Vector/VectorOps", "dot (double accumulation)", 1e-12, d => [[VectorOps.Dot(Flat(132, p).To(d), Flat(133, p).To(d))]]);
        yield return OpCase.Comparison("Vector/VectorOps", "adam update (bit-identical)", OpTolerance.Exact, d =>
        {
            var (param, grad, m, v) = AdamState(d, p);
            param.Backend.AdamUpdate(param, grad, m, v, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, 5));
            return [param.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray()];
        });
    }

    internal static Tensor Flat(ulong seed, int p, double scale = 1) => new OpInput([p], seed, scale).Create(DType.F32, []);

    /// <summary>Parameters, a gradient, and Adam's first and (non-negative) second moments, on <paramref name="d"/>.</summary>
    internal static (Tensor Param, Tensor Grad, Tensor M, Tensor V) AdamState(Device d, int p) =>
        (Flat(150, p).To(d), Flat(151, p, 0.1).To(d), Flat(152, p, 0.01).To(d), Ops.Square(Flat(153, p, 0.01)).To(d));
}
