namespace NativeTrustRegion.Engine.Benchmarks;

/// <summary>
/// One run of <see cref="KernelBenchmarkSuite"/>: the device as its back end describes itself, how time was taken,
/// the matmul precision, where the kernels came from, the two references measured in the same run, and every case's
/// passes in table order.
/// </summary>
public sealed record KernelBenchmarkReport(
    DeviceDescription Device,
    string Timer,
    MatmulPrecision Precision,
    IReadOnlyList<string> KernelSources,
    KernelBenchmarkOptions Options,
    KernelBenchmarkResult Copy,
    KernelBenchmarkResult Gemm,
    IReadOnlyList<KernelBenchmarkResult> Cases);
