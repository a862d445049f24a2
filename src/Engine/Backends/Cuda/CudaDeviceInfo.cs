namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>What the driver reports about one GPU.</summary>
public sealed record CudaDeviceInfo(
    int Ordinal,
    string Name,
    int ComputeMajor,
    int ComputeMinor,
    int Multiprocessors,
    long TotalMemoryBytes,
    int L2CacheBytes,
    int MaxSharedMemoryPerBlockOptin,
    int DriverVersion)
{
    /// <summary>"sm_90" style name of the architecture.</summary>
    public string Architecture => $"sm_{ComputeMajor}{ComputeMinor}";

    /// <summary>The driver's CUDA version as "13.0".</summary>
    public string DriverCudaVersion => $"{DriverVersion / 1000}.{DriverVersion % 1000 / 10}";
}
