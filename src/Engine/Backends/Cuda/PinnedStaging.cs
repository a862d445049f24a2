namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Two page-locked host buffers for host↔device copies. Managed arrays are pageable (pinning them with fixed or
/// GCHandle does not make them page-locked), so copies go through these: a host→device copy converts into a free
/// slot, queues the asynchronous copy and records an event; the slot is reused only after that event completed.
/// Large copies alternate between the two slots so conversion overlaps transfer.
/// </summary>
internal sealed unsafe class PinnedStaging : IDisposable
{
    public const int SlotBytes = 8 << 20;

    private readonly CudaContext _context;
    private readonly PinnedHostAllocation[] _buffers = new PinnedHostAllocation[2];
    private readonly CudaEventHandle[] _events = new CudaEventHandle[2];
    private int _next;

    public PinnedStaging(CudaContext context)
    {
        _context = context;
        context.MakeCurrent();
        for (var i = 0; i < 2; i++)
        {
            CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var p, SlotBytes, CudaDriver.HostAllocPortable), "cuMemHostAlloc");
            _buffers[i] = new PinnedHostAllocation(context.Handle, p, SlotBytes);
            CudaDriver.Check(CudaDriver.cuEventCreate(out var e, CudaDriver.EventDisableTiming), "cuEventCreate");
            _events[i] = new CudaEventHandle(context.Handle, e);
        }
    }

    /// <summary>A free slot (waits for its previous copy) and its index.</summary>
    public byte* Acquire(out int slot)
    {
        slot = _next;
        _next ^= 1;
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_events[slot].DangerousGetHandle()), "cuEventSynchronize");
        return (byte*)_buffers[slot].DangerousGetHandle();
    }

    /// <summary>Marks the slot busy until the work queued so far on the stream has finished.</summary>
    public void Release(int slot) =>
        CudaDriver.Check(CudaDriver.cuEventRecord(_events[slot].DangerousGetHandle(), _context.Stream), "cuEventRecord");

    public void Dispose()
    {
        foreach (var e in _events)
        {
            e?.Dispose();
        }
        foreach (var b in _buffers)
        {
            b?.Dispose();
        }
    }
}
