using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>A managed array of float or double.</summary>
public sealed class CpuStorage : Storage
{
    private readonly float[]? _f32;
    private readonly double[]? _f64;

    internal CpuStorage(DType dtype, long length)
        : base(dtype, length)
    {
        var n = checked((int)length);
        if (dtype == DType.F32)
        {
            _f32 = GC.AllocateUninitializedArray<float>(n);
        }
        else
        {
            _f64 = GC.AllocateUninitializedArray<double>(n);
        }
    }

    public override Device Device => Device.Cpu;

    public override IBackend Backend => BackendRegistry.CpuBackend;

    /// <summary>The underlying array (float[] or double[]).</summary>
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
        throw new InvalidOperationException($"a {DType} buffer was read as {typeof(T).Name}");
    }
}
