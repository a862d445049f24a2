namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>A flat buffer in GPU memory. Pooled buffers are freed by their pool; unpooled ones by the finalizer.</summary>
public sealed class CudaStorage : Storage
{
    private readonly DeviceAllocation _allocation;

    internal CudaStorage(CudaBackend backend, DType dtype, long length, DeviceAllocation allocation)
        : base(dtype, length)
    {
        OwnerBackend = backend;
        _allocation = allocation;
    }

    internal CudaBackend OwnerBackend { get; }

    /// <summary>Device address of element 0.</summary>
    public ulong Pointer => _allocation.Pointer;

    public override Device Device => OwnerBackend.Device;

    public override IBackend Backend => OwnerBackend;

    internal void Free() => _allocation.Dispose();
}
