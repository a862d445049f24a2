namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The one place where a CPU op picks the float32 or float64 instantiation of its generic kernel from a tensor's
/// element type: <c>DTypeDispatch.For(x.DType, Kernel&lt;float&gt;, Kernel&lt;double&gt;)(args)</c>. Only the
/// dispatching lives here; the arithmetic stays in the one generic kernel each op writes.
/// </summary>
internal static class DTypeDispatch
{
    /// <summary>The float32 kernel for <see cref="DType.F32"/> data, the float64 kernel for <see cref="DType.F64"/>.</summary>
    public static TKernel For<TKernel>(DType dtype, TKernel f32, TKernel f64)
        where TKernel : Delegate => dtype switch
        {
            DType.F32 => f32,
            DType.F64 => f64,
            DType.BF16 => throw BFloat16Kernels.Unsupported(),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The CPU back end computes in float32 or float64 only."),
        };
}
