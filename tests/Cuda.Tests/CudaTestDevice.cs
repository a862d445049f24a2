using System.Runtime.CompilerServices;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The CUDA device these tests run on: the emulated H200 (kernels/emulator), so every kernel runs in CI without a
/// GPU. Set NTR_CUDA_TESTS_REAL_GPU=1 to run them on the machine's real GPU instead (one process cannot use both).
/// </summary>
internal static class CudaTestDevice
{
    public const string RealGpuVariable = "NTR_CUDA_TESTS_REAL_GPU";

    /// <summary>The xunit collection of every test class that drives the CUDA back end: it is not thread-safe (one stream, one pool), so they never run at once.</summary>
    public const string Collection = "CUDA back end";

    public static bool Emulated => Environment.GetEnvironmentVariable(RealGpuVariable) != "1";

#pragma warning disable CA2255 // the choice must be made before any test touches the CUDA driver
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Choose()
    {
        if (Emulated)
        {
            CudaEmulationRequest.Request();
        }
    }
}
