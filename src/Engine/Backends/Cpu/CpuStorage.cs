using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>A managed array of float, double or bfloat16 bits (ushort).</summary>
public sealed class CpuStorage : Storage
{
    private readonly float[]? _f32;
    private readonly double[]? _f64;
    private readonly ushort[]? _bf16;

    internal CpuStorage(DType dtype, long length)
        : base(dtype, length)
    {
        var n = checked((int)length);
        if (dtype == DType.F32)
        {
            _f32 = GC.AllocateUninitializedArray<float>(n);
        }
        else if (dtype == DType.BF16)
        {
            _bf16 = GC.AllocateUninitializedArray<ushort>(n);
        }
        else
        {
            _f64 = GC.AllocateUninitializedArray<double>(n);
        }
    }

    public override Device Device => Device.Cpu;

    public override IBackend Backend => BackendRegistry.CpuBackend;

    /// <summary>The underlying array (float[], double[] or, for bf16, ushort[]).</summary>
    internal T[] Array<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float) && _f32 is not null)
        {
            return (T[])(object)_f32;
        }
        if (typeof(T) == typeof(double) && _f64 is not null)
        {
            return (T[])(object)_f64;
        }
        if (typeof(T) == typeof(ushort) && _bf16 is not null)
        {
            return (T[])(object)_bf16;
        }
        throw new InvalidOperationException($"a {DType} buffer was read as {typeof(T).Name}");
    }

    public Span<T> Span<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float) && _f32 is not null)
        {
            return MemoryMarshal.Cast<float, T>(_f32.AsSpan());
        }
        if (typeof(T) == typeof(double) && _f64 is not null)
        {
            return MemoryMarshal.Cast<double, T>(_f64.AsSpan());
        }
        if (typeof(T) == typeof(ushort) && _bf16 is not null)
        {
            return MemoryMarshal.Cast<ushort, T>(_bf16.AsSpan());
        }
        throw new InvalidOperationException($"a {DType} buffer was read as {typeof(T).Name}");
    }
}
