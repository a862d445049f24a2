namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// How the CPU runs bf16 matrix products: the bf16 operands are widened (exactly) to float32 scratch views with the
/// same shape, strides and offset, the float32 kernel computes with float32 accumulation, and the output is rounded
/// to bf16 once (nearest even). So a bf16 GEMM or convolution on the CPU is the float32 one of bf16-rounded inputs.
/// </summary>
internal static class BFloat16Widening
{
    /// <summary>A float32 copy of the bf16 tensor's whole storage, viewed like <paramref name="t"/> (scratch of the current scope).</summary>
    public static Tensor Widen(Tensor t)
    {
        var storage = (CpuStorage)TensorScope.Allocate(BackendRegistry.CpuBackend, DType.F32, t.Storage.Length);
        CpuParallel.For(checked((int)t.Storage.Length), 16384, (s, e) => BFloat16.ToFloats(((CpuStorage)t.Storage).Span<ushort>()[s..e], storage.Span<float>()[s..e]));
        return new Tensor(storage, t.Shape, t.Strides, t.Offset);
    }

    /// <summary>An uninitialised float32 scratch view shaped like <paramref name="t"/> (for outputs that are not read first).</summary>
    public static Tensor Scratch(Tensor t)
    {
        var storage = TensorScope.Allocate(BackendRegistry.CpuBackend, DType.F32, t.Storage.Length);
        return new Tensor(storage, t.Shape, t.Strides, t.Offset);
    }

    /// <summary>Rounds elements [start, start + count) of <paramref name="wide"/>'s storage into the same elements of <paramref name="t"/>'s.</summary>
    public static void Narrow(Tensor wide, Tensor t, long start, long count)
    {
        var from = (CpuStorage)wide.Storage;
        var to = (CpuStorage)t.Storage;
        var s0 = checked((int)start);
        CpuParallel.For(checked((int)count), 16384, (s, e) => BFloat16.FromFloats(from.Span<float>().Slice(s0 + s, e - s), to.Span<ushort>().Slice(s0 + s, e - s)));
    }

    /// <summary>Rounds the elements of the contiguous tensor <paramref name="t"/> from <paramref name="wide"/>.</summary>
    public static void Narrow(Tensor wide, Tensor t) => Narrow(wide, t, t.Offset, t.Numel);
}
