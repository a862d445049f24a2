using System.Runtime.CompilerServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>Makes <c>Device.Cuda(n)</c> open this back end: the registry stays device-agnostic and asks this factory.</summary>
internal static class CudaBackendRegistration
{
#pragma warning disable CA2255 // the engine must register its CUDA back end before any tensor is created on a GPU
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        BackendRegistry.CudaFactory ??= CudaBackend.Open;
    }
}
