namespace NativeTrustRegion.Engine;

public enum DeviceKind
{
    Cpu,
    Cuda,
}

/// <summary>Where a tensor's storage lives. Every storage is tagged with its device.</summary>
public readonly record struct Device(DeviceKind Kind, int Ordinal)
{
    public static readonly Device Cpu = new(DeviceKind.Cpu, 0);

    public static Device Cuda(int ordinal = 0) => new(DeviceKind.Cuda, ordinal);

    public bool IsCpu => Kind == DeviceKind.Cpu;

    public bool IsCuda => Kind == DeviceKind.Cuda;

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Ordinal}";

    /// <summary>
    /// Parses "cpu", "cuda", "cuda:N" or "cuda-emulated". "cuda-emulated" is GPU 0 of the emulated CUDA device
    /// (kernels/emulator): it asks for the emulator (<see cref="CudaEmulationRequest"/>), as NTR_CUDA_EMULATED=1 does.
    /// </summary>
    public static Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu")
        {
            return Cpu;
        }
        if (t == "cuda-emulated")
        {
            CudaEmulationRequest.Request();
            return Cuda(0);
        }
        if (t == "cuda" || t == "gpu")
        {
            return Cuda(0);
        }
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var n) && n >= 0)
        {
            return Cuda(n);
        }
        throw new UsageException($"unknown device '{text}'; valid: cpu, cuda, cuda:N (N = 0, 1, …), cuda-emulated");
    }
}
