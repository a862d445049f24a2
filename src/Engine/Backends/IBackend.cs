namespace NativeTrustRegion.Engine;

/// <summary>
/// The kernels a device must provide. This file holds memory, copies and random fills; each op adds its own
/// kernels to this interface in its folder under Ops/ (partial interface), next to the op's CPU and CUDA code.
/// Kernels receive tensors whose layout the op has already checked; unless a kernel says otherwise, inputs and
/// outputs are contiguous and of one dtype.
/// </summary>
public partial interface IBackend
{
    Device Device { get; }

    BufferPool Pool { get; }

    /// <summary>A buffer outside the pool (owned by the garbage collector, or freed by a finaliser on devices).</summary>
    Storage AllocateUnpooled(DType dtype, long length);

    /// <summary>Host → device copy into a contiguous tensor, converting float/double to the tensor's dtype.</summary>
    void CopyFromHost<T>(ReadOnlySpan<T> source, Tensor destination)
        where T : unmanaged;

    /// <summary>Device → host copy of a contiguous tensor, converting to T.</summary>
    void CopyToHost<T>(Tensor source, Span<T> destination)
        where T : unmanaged;

    /// <summary>Strided copy between two tensors of the same shape and dtype (either may be a view).</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Sets every element of a contiguous tensor.</summary>
    void Fill(Tensor destination, double value);

    /// <summary>Standard normal values: element i is Philox normal number (seed, offset + i).</summary>
    void FillNormal(Tensor destination, ulong seed, ulong offset);

    /// <summary>Uniform values in [low, high): element i uses Philox counter (seed, offset + i).</summary>
    void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high);

    /// <summary>Waits until all queued work on the device is finished.</summary>
    void Synchronize();
}
