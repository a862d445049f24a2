namespace NativeTrustRegion.Engine;

/// <summary>
/// What a back end says about the device it runs on, for logs and benchmark reports.
/// </summary>
/// <param name="Name">The GPU's name ("NVIDIA H100 80GB HBM3"), or the CPU's model name.</param>
/// <param name="Architecture">"sm_90" style architecture of a GPU; null on the CPU.</param>
/// <param name="ComputeCapability">"9.0" style compute capability of a GPU; null on the CPU.</param>
/// <param name="DriverVersion">The CUDA driver's version ("13.0"); null on the CPU.</param>
/// <param name="Processors">Streaming multiprocessors of a GPU, or the logical processors of the host.</param>
/// <param name="TotalMemoryBytes">The device's memory; null on the CPU (host memory is not a device budget).</param>
public sealed record DeviceDescription(
    string Name,
    string? Architecture,
    string? ComputeCapability,
    string? DriverVersion,
    int Processors,
    long? TotalMemoryBytes);
