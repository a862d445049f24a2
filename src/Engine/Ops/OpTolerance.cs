namespace NativeTrustRegion.Engine;

/// <summary>
/// Parity tolerances (relative error max|gpu − cpu| / max|cpu|) of <see cref="OpCase.Tolerance"/>: float32 kernels agree
/// to 1e-5; where TF32 tensor cores multiply (GEMM, convolution) to 5e-3; where the GPU must be bit-identical (copies,
/// pooling, Adam, uniform fills, casts) exactly; bf16 products to two bf16 ulps.
/// </summary>
public static class OpTolerance
{
    public const double Float32 = 1e-5;
    public const double Tf32 = 5e-3;
    public const double Exact = 0;

    /// <summary>
    /// Second-order parity (create-graph gradient and Hessian-vector product): a chain of float32 ops twice as long as
    /// the first-order backward's, through recomposed fused ops (normalization, attention) whose order of summation
    /// differs from the kernels'.
    /// </summary>
    public const double SecondOrder = 1e-4;

    /// <summary>
    /// bf16 matrix products (bf16 operands, float32 accumulation, bf16 output): both devices round the same float32
    /// sums to bf16, but their summation orders differ, so an output near a rounding midpoint may land one bf16 ulp
    /// (2⁻⁸ relative) apart; two ulps of the largest output.
    /// </summary>
    public const double Bf16 = 8e-3;

    /// <summary>
    /// Sums of 10^5–10^6 terms into one output: both devices accumulate in float32 in different orders (the CPU's SIMD
    /// blocks, the GPU's warp lanes and split partials), so they agree only to ~eps·√(terms per accumulator): measured on
    /// the emulated device 3.3e-5 (274,560 terms) and 3.9e-5 (2M), and 2.5e-5 for 2M terms of mean 1, so it is the length
    /// of the sums, not cancellation. (A pairwise or float64-accumulating reduction on both devices would tighten this.)
    /// </summary>
    public const double LongSum = 1e-4;
}
