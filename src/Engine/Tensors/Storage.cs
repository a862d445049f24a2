namespace NativeTrustRegion.Engine;

/// <summary>
/// A flat buffer of elements on one device. Tensors are views (shape, strides, offset) over a storage.
/// Storages rented inside a <see cref="TensorScope"/> go back to their device's <see cref="BufferPool"/>
/// when the scope ends; <see cref="Version"/> changes then, so a tensor used after its scope fails loudly.
/// </summary>
public abstract class Storage
{
    protected Storage(DType dtype, long length)
    {
        DType = dtype;
        Length = length;
    }

    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    public long Bytes => Length * DType.SizeOf();

    public abstract Device Device { get; }

    public abstract IBackend Backend { get; }

    /// <summary>Incremented every time the buffer goes back to the pool.</summary>
    internal int Version { get; set; }

    /// <summary>The pool that lent this buffer, or null when it is owned by the garbage collector.</summary>
    internal BufferPool? Pool { get; set; }

    /// <summary>The scope that returns this buffer to its pool, or null.</summary>
    internal TensorScope? Owner { get; set; }

    /// <summary>Captured CUDA graphs that use this pooled buffer: while above zero, <see cref="BufferPool.Trim"/> keeps it.</summary>
    internal int GraphHolds { get; set; }
}
