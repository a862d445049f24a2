namespace NativeTrustRegion.Engine;

/// <summary>
/// The arithmetic of float32 matrix products (GEMMs and convolutions). Fp32: full float32 products. Tf32: TF32
/// tensor cores (10-bit mantissa products, float32 accumulation), only on CUDA GPUs; the CUDA back end opens with
/// Tf32 unless NTR_TF32=0. The CPU always computes Fp32.
/// </summary>
public enum MatmulPrecision
{
    Fp32,
    Tf32,
}
