namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The caching allocator of one GPU: buffers released by a TensorScope stay allocated and are handed out again
/// for the same (dtype, length), so from the second training step on no cuMemAlloc runs (none inside a graph
/// capture either). On out-of-memory it frees every cached buffer and retries once before giving up with a
/// message that says what to do.
/// </summary>
internal sealed class CudaBufferPool : BufferPool
{
    private readonly CudaBackend _backend;

    public CudaBufferPool(CudaBackend backend)
    {
        _backend = backend;
    }

    protected override Storage AllocateFresh(DType dtype, long length) => _backend.AllocateStorage(dtype, length, this);

    protected override void Destroy(Storage storage)
    {
        // queued kernels may still read a buffer that went back to the pool: wait before freeing it
        _backend.Synchronize();
        ((CudaStorage)storage).Free();
    }
}
