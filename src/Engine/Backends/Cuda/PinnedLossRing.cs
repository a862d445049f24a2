namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Step losses read back without a host wait inside any step: after each step the back end queues an asynchronous
/// copy of the step's loss (a fixed one-element device tensor) into the next slot of a page-locked ring of
/// <see cref="Capacity"/> values; <see cref="Drain"/> waits once for the last copy queued and returns every value
/// not read yet, in step order. The host calls it every N steps (N ≤ Capacity), so it waits at most once per N steps.
/// </summary>
public sealed unsafe class PinnedLossRing : IDisposable
{
    private readonly CudaBackend _backend;
    private readonly PinnedHostAllocation _ring;
    private readonly CudaEventHandle _lastCopy;
    private long _queued;
    private long _read;

    public PinnedLossRing(CudaBackend backend, int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the loss ring needs at least one slot");
        }
        _backend = backend;
        Capacity = capacity;
        var context = backend.Context;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var p, (nuint)(capacity * sizeof(double)), CudaDriver.HostAllocPortable), "cuMemHostAlloc");
        _ring = new PinnedHostAllocation(context.Handle, p, capacity * sizeof(double));
        CudaDriver.Check(CudaDriver.cuEventCreate(out var e, CudaDriver.EventDisableTiming), "cuEventCreate");
        _lastCopy = new CudaEventHandle(context.Handle, e);
    }

    public int Capacity { get; }

    /// <summary>Steps queued whose loss has not been read yet.</summary>
    public int Pending => (int)(_queued - _read);

    /// <summary>Queues the copy of <paramref name="loss"/> (one F64 element on this device) into the next slot.</summary>
    public void Queue(Tensor loss)
    {
        if (loss.Numel != 1 || loss.DType != DType.F64)
        {
            throw new ArgumentException($"the loss ring takes one F64 element, not {loss.Describe()}");
        }
        if (Pending == Capacity)
        {
            throw new InvalidOperationException($"the loss ring holds {Capacity} unread losses: call Drain at least every {Capacity} steps");
        }
        var slot = (double*)_ring.DangerousGetHandle() + _queued % Capacity;
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(slot, _backend.Ptr(loss), sizeof(double), _backend.Context.Stream), "cuMemcpyDtoHAsync_v2");
        CudaDriver.Check(CudaDriver.cuEventRecord(_lastCopy.DangerousGetHandle(), _backend.Context.Stream), "cuEventRecord");
        _queued++;
    }

    /// <summary>Waits for the last queued copy and returns the losses not read yet, oldest first.</summary>
    public double[] Drain()
    {
        var result = new double[Pending];
        if (result.Length == 0)
        {
            return result;
        }
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_lastCopy.DangerousGetHandle()), "cuEventSynchronize");
        var ring = (double*)_ring.DangerousGetHandle();
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ring[(_read + i) % Capacity];
        }
        _read = _queued;
        return result;
    }

    public void Dispose()
    {
        _backend.Context.Synchronize();
        _lastCopy.Dispose();
        _ring.Dispose();
    }
}
