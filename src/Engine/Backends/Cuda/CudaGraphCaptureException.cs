namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Something was asked of the back end inside a CUDA graph capture that a graph cannot hold: a host read (Item,
/// ToArray, Dot), a synchronisation, a host→device copy whose values would be frozen, a device allocation, or a
/// random draw from a generator whose offset the captured step does not stage. The capture is abandoned.
/// </summary>
public sealed class CudaGraphCaptureException(string what, string why, string fix)
    : CudaException($"{what} inside a CUDA graph capture: {why}. Fix: {fix}")
{
    /// <summary>The refused operation, e.g. "reading a tensor on the host (Item, ToArray)".</summary>
    public string What { get; } = what;
}
