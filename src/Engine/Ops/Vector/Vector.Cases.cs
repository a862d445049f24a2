using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The optimizer's flat-vector kernels on a million parameters: axpby, a float64-accumulated dot product, the Adam update
/// (bit-identical); the benchmark's Adam step and dot product over the image model's 39.8M parameters.
/// </summary>
internal sealed class VectorCases : IOpCaseSource
{
    /// <summary>Flat parameter count: a million and three, so no kernel gets a multiple of its block size.</summary>
    internal const int Parameters = 1_000_003;

    /// <summary>The image model's parameter count with ResNet resampling in every block (preset image-paper-resnet-sampling): the benchmark's flat vectors.</summary>
    internal const int PaperParameters = 39_828_227;

    public IEnumerable<OpCase> Cases()
    {
        const int p = Parameters;
        yield return OpCase.Prepared("Vector/VectorOps", "axpby", OpTolerance.Exact, d =>
        {
            var x = Flat(130, p).To(d);
            var y = Flat(131, p).To(d);
            return new(() => VectorOps.Axpby(0.5, x, -1.25, y), () => [y.ToDoubleArray()], 12.0 * p);
        });
        yield return Dot("dot (double accumulation)", p);
        yield return Adam("adam update (bit-identical)", p);
        // the benchmark's paper-size vectors: one Adam step and one dot product (rank-1 EWC's μᵀθ) over every parameter
        yield return Adam("adam update image-paper-resnet-sampling 39.8M", PaperParameters, drawOnDevice: true) with { Checks = OpChecks.Benchmark };
        yield return Dot("dot image-paper-resnet-sampling 39.8M", PaperParameters, drawOnDevice: true) with { Checks = OpChecks.Benchmark };
    }

    private static OpCase Dot(string name, int p, bool drawOnDevice = false) => OpCase.Prepared("Vector/VectorOps", name, 1e-12, d =>
    {
        var a = Flat(132, p, d, drawOnDevice);
        var b = Flat(133, p, d, drawOnDevice);
        var dot = 0.0;
        return new(() => dot = VectorOps.Dot(a, b), () => [[dot]], 8.0 * p, 2.0 * p);
    });

    /// <summary>One Adam step: reads θ, g, m, v and writes θ, m, v (28 bytes per parameter).</summary>
    private static OpCase Adam(string name, int p, bool drawOnDevice = false) => OpCase.Prepared("Vector/VectorOps", name, OpTolerance.Exact, d =>
    {
        var (param, grad, m, v) = AdamState(d, p, drawOnDevice);
        var step = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, 5);
        return new(() => param.Backend.AdamUpdate(param, grad, m, v, step), () => [param.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray()], 28.0 * p);
    });

    internal static Tensor Flat(ulong seed, int p, double scale = 1) => new OpInput([p], seed, scale).Create(DType.F32, []);

    /// <summary>
    /// N(0, scale²) values on <paramref name="d"/>: drawn on the CPU and copied (parity: both devices get the very same
    /// values), or with <paramref name="drawOnDevice"/> drawn on the device itself (the benchmark's paper-size vectors:
    /// no host generation and copy of hundreds of megabytes).
    /// </summary>
    internal static Tensor Flat(ulong seed, int p, Device d, bool drawOnDevice, double scale = 1) =>
        Drawn([p], seed, d, drawOnDevice, scale);

    internal static Tensor Drawn(int[] shape, ulong seed, Device d, bool drawOnDevice, double scale = 1)
    {
        if (!drawOnDevice)
        {
            return new OpInput(shape, seed, scale).Create(DType.F32, []).To(d);
        }
        var t = Tensor.Randn(shape, new Generator(seed), device: d);
        return scale == 1 ? t : Ops.Affine(t, scale, 0);
    }

    /// <summary>Parameters, a gradient, and Adam's first and (non-negative) second moments, on <paramref name="d"/>.</summary>
    internal static (Tensor Param, Tensor Grad, Tensor M, Tensor V) AdamState(Device d, int p, bool drawOnDevice = false) =>
        (Flat(150, p, d, drawOnDevice), Flat(151, p, d, drawOnDevice, 0.1), Flat(152, p, d, drawOnDevice, 0.01), Ops.Square(Flat(153, p, d, drawOnDevice, 0.01)));
}
