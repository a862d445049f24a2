namespace NativeTrustRegion.Engine;

/// <summary>
/// Whether this process asked for the emulated CUDA device: by the device name "cuda-emulated"
/// (<see cref="Device.Parse"/>) or by the environment variable NTR_CUDA_EMULATED=1. The CUDA back end reads it when it
/// first loads the driver; from then on the choice is fixed for the process (a real GPU and the emulator cannot be
/// mixed in one process, because both answer to the same driver API names).
/// </summary>
public static class CudaEmulationRequest
{
    public const string Variable = "NTR_CUDA_EMULATED";

    private static volatile bool _requested;

    /// <summary>True once "cuda-emulated" was parsed or when NTR_CUDA_EMULATED=1.</summary>
    public static bool IsRequested => _requested || Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Asks for the emulated device (what parsing "cuda-emulated" does).</summary>
    public static void Request() => _requested = true;
}
