using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

public sealed partial class Tensor
{
    /// <summary>An uninitialised contiguous tensor, allocated through the current scope.</summary>
    public static Tensor Empty(int[] shape, DType dtype = DType.F32, Device? device = null)
    {
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new TensorOpException("Empty", $"negative dimension in shape {TensorOpException.Format(shape)}", "use sizes >= 0");
            }
        }
        var backend = BackendRegistry.For(device ?? Device.Cpu);
        var numel = Engine.Shape.Numel(shape);
        if (numel > int.MaxValue)
        {
            throw new TensorOpException("Empty", $"shape {TensorOpException.Format(shape)} has {numel} elements, more than 2^31-1",
                "split the tensor into smaller pieces (e.g. a smaller batch)");
        }
        var storage = TensorScope.Allocate(backend, dtype, numel);
        return new Tensor(storage, (int[])shape.Clone());
    }

    /// <summary>A long-lived tensor outside every scope (parameters, optimizer state, gradients of leaves).</summary>
    public static Tensor EmptyUnscoped(int[] shape, DType dtype = DType.F32, Device? device = null)
    {
        var backend = BackendRegistry.For(device ?? Device.Cpu);
        var storage = backend.AllocateUnpooled(dtype, Engine.Shape.Numel(shape));
        return new Tensor(storage, (int[])shape.Clone());
    }

    public static Tensor ZerosUnscoped(int[] shape, DType dtype = DType.F32, Device? device = null)
    {
        var t = EmptyUnscoped(shape, dtype, device);
        t.Backend.Fill(t, 0);
        return t;
    }

    public static Tensor EmptyLike(Tensor t) => Empty(t.Shape, t.DType, t.Device);

    public static Tensor Zeros(int[] shape, DType dtype = DType.F32, Device? device = null) => Full(shape, 0.0, dtype, device);

    public static Tensor Ones(int[] shape, DType dtype = DType.F32, Device? device = null) => Full(shape, 1.0, dtype, device);

    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType, t.Device);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.F32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.Fill(t, value);
        return t;
    }

    public static Tensor Scalar(double value, DType dtype = DType.F32, Device? device = null) => Full([], value, dtype, device);

    public static Tensor FromArray(float[] data, params int[] shape)
    {
        CheckLength(data.Length, shape);
        var t = Empty(shape, DType.F32, Device.Cpu);
        data.AsSpan().CopyTo(t.Span<float>());
        return t;
    }

    public static Tensor FromArray(double[] data, params int[] shape)
    {
        CheckLength(data.Length, shape);
        var t = Empty(shape, DType.F64, Device.Cpu);
        data.AsSpan().CopyTo(t.Span<double>());
        return t;
    }

    /// <summary>Copies host values into a new tensor of the given dtype and device.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, int[] shape, DType dtype, Device device)
    {
        CheckLength(data.Length, shape);
        var t = Empty(shape, dtype, device);
        t.Backend.CopyFromHost(data, t);
        return t;
    }

    public static Tensor FromSpan(ReadOnlySpan<double> data, int[] shape, DType dtype, Device device)
    {
        CheckLength(data.Length, shape);
        var t = Empty(shape, dtype, device);
        t.Backend.CopyFromHost(data, t);
        return t;
    }

    /// <summary>Standard normal values from the counter-based generator (identical on every device).</summary>
    public static Tensor Randn(int[] shape, Generator generator, DType dtype = DType.F32, Device? device = null)
    {
        BFloat16Kernels.RefuseRandom("Randn", dtype);
        var t = Empty(shape, dtype, device);
        t.Backend.FillNormal(t, generator.Seed, generator.Advance(t.Numel));
        return t;
    }

    /// <summary>Uniform values in [low, high) from the counter-based generator.</summary>
    public static Tensor Rand(int[] shape, Generator generator, double low = 0, double high = 1, DType dtype = DType.F32, Device? device = null)
    {
        BFloat16Kernels.RefuseRandom("Rand", dtype);
        var t = Empty(shape, dtype, device);
        t.Backend.FillUniform(t, generator.Seed, generator.Advance(t.Numel), low, high);
        return t;
    }

    private static void CheckLength(int length, int[] shape)
    {
        var numel = Engine.Shape.Numel(shape);
        if (numel != length)
        {
            throw new TensorOpException("FromArray", $"{length} values cannot fill shape {TensorOpException.Format(shape)} ({numel} elements)",
                "pass as many values as the shape has elements");
        }
    }

    /// <summary>A contiguous CPU span over this tensor's elements (CPU, contiguous tensors only).</summary>
    public Span<T> Span<T>()
        where T : unmanaged
    {
        EnsureAlive("Span");
        if (Storage is not Backends.Cpu.CpuStorage cpu)
        {
            throw new InvalidOperationException($"Span: tensor {Describe()} is not on the CPU. Fix: call .To(Device.Cpu) first, or use ToArray().");
        }
        if (!IsContiguous)
        {
            throw new InvalidOperationException($"Span: tensor {Describe()} is a non-contiguous view. Fix: call .Contiguous() first.");
        }
        return cpu.Span<T>().Slice(checked((int)Offset), checked((int)Numel));
    }

    public float[] ToFloatArray()
    {
        EnsureAlive("ToArray");
        var src = Contiguous();
        var result = new float[src.Numel];
        src.Backend.CopyToHost(src, result.AsSpan());
        return result;
    }

    public double[] ToDoubleArray()
    {
        EnsureAlive("ToArray");
        var src = Contiguous();
        var result = new double[src.Numel];
        src.Backend.CopyToHost(src, result.AsSpan());
        return result;
    }

    /// <summary>The value of a one-element tensor (synchronises with the device).</summary>
    public double Item()
    {
        if (Numel != 1)
        {
            throw new TensorOpException("Item", $"tensor {Describe()} has {Numel} elements, Item needs exactly one", "reduce it first (Sum/Mean) or index one element");
        }
        return ToDoubleArray()[0];
    }

    /// <summary>A copy on another device (no-op if already there).</summary>
    public Tensor To(Device device)
    {
        EnsureAlive("To");
        if (device == Device)
        {
            return this;
        }
        var src = Contiguous();
        var dst = Empty(Shape, DType, device);
        if (DType == DType.F32)
        {
            var host = new float[Numel];
            src.Backend.CopyToHost(src, host.AsSpan());
            dst.Backend.CopyFromHost<float>(host, dst);
        }
        else
        {
            var host = new double[Numel];
            src.Backend.CopyToHost(src, host.AsSpan());
            dst.Backend.CopyFromHost<double>(host, dst);
        }
        return dst;
    }

    /// <summary>A copy with another dtype (no-op if already that dtype). Not differentiable.</summary>
    public Tensor To(DType dtype)
    {
        EnsureAlive("To");
        if (dtype == DType)
        {
            return this;
        }
        var src = Contiguous();
        var dst = Empty(Shape, dtype, Device);
        Backend.Cast(src, dst);
        return dst;
    }

    /// <summary>Copies values from <paramref name="source"/> (same shape) into this tensor in place. Not differentiable.</summary>
    public void CopyFrom(Tensor source)
    {
        EnsureAlive("CopyFrom");
        source.EnsureAlive("CopyFrom");
        if (!Engine.Shape.Equal(source.Shape, Shape))
        {
            throw new TensorOpException("CopyFrom", $"source {source.Describe()} and destination {Describe()} differ in shape", "copy between tensors of the same shape");
        }
        TensorOpException.Compatible("CopyFrom", source, this);
        Backend.Copy(source, this);
    }

    /// <summary>Sets every element to <paramref name="value"/> in place. Not differentiable.</summary>
    public void Fill(double value)
    {
        EnsureAlive("Fill");
        if (!IsContiguous)
        {
            throw new InvalidOperationException($"Fill: tensor {Describe()} is not contiguous");
        }
        Backend.Fill(this, value);
    }
}
