namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>Which code computes a GEMM (see <see cref="Gemm"/>).</summary>
public enum GemmKernel
{
    /// <summary>The engine's AVX-512 float32 kernel (<see cref="Avx512Sgemm"/>).</summary>
    Avx512,

    /// <summary>OpenBLAS's sgemm / dgemm, with whatever kernel family it picked.</summary>
    OpenBlas,

    /// <summary>The portable managed kernels (<see cref="ManagedGemm"/>).</summary>
    Managed,
}
