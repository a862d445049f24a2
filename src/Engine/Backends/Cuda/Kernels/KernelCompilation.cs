namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>The result of compiling one kernel source: the image (CUBIN, or PTX ending in NUL) or the compiler log.</summary>
public sealed record KernelCompilation(
    KernelSource Source,
    string Target,
    bool Succeeded,
    string Log,
    byte[] Image,
    bool FromCache,
    TimeSpan Elapsed)
{
    /// <summary>True for a CUBIN (target sm_XY), false for PTX (compute_XY).</summary>
    public bool IsCubin => Target.StartsWith("sm_", StringComparison.Ordinal);
}
