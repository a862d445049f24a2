using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Engine;

/// <summary>Finds the back end for a device. The CPU back end always exists; CUDA back ends open on first use.</summary>
public static class BackendRegistry
{
    private static readonly object Lock = new();
    private static readonly Dictionary<int, IBackend> Cuda = new();

    public static CpuBackend CpuBackend { get; } = new();

    /// <summary>Opens the CUDA back end of a device; set by the CUDA back end so the registry stays device-agnostic.</summary>
    public static Func<int, IBackend>? CudaFactory { get; set; }

    public static IBackend For(Device device)
    {
        if (device.IsCpu)
        {
            return CpuBackend;
        }
        lock (Lock)
        {
            if (Cuda.TryGetValue(device.Ordinal, out var backend))
            {
                return backend;
            }
            var factory = CudaFactory ?? throw new InvalidOperationException(
                $"device {device} requested but no CUDA back end is available in this build. Fix: run on the CPU (--device cpu).");
            backend = factory(device.Ordinal);
            Cuda[device.Ordinal] = backend;
            return backend;
        }
    }
}
