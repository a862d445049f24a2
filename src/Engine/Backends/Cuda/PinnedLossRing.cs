namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Step losses read back without a host wait inside any step: after each step the back end queues an asynchronous
/// copy of the step's loss (a fixed device tensor of <see cref="Width"/> F64 values: the loss, and optionally other
/// per-step numbers) into the next slot of a page-locked ring of <see cref="Capacity"/> slots; <see cref="Drain"/>
/// waits once for the last copy queued and returns every value not read yet, in step order. The host calls it every
/// N steps (N ≤ Capacity), so it waits at most once per N steps.
/// </summary>
public sealed unsafe class PinnedLossRing : IStepValueRing
{
    private readonly CudaBackend _backend;
    private readonly PinnedHostAllocation _ring;
    private readonly CudaEventHandle _lastCopy;
    private long _queued;
    private long _read;

    public PinnedLossRing(CudaBackend backend, int capacity, int width = 1)
    {
        if (capacity < 1 || width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"the loss ring needs at least one slot of at least one value (asked: {capacity} slots of {width})");
        }
        _backend = backend;
        Capacity = capacity;
        Width = width;
        var context = backend.Context;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var p, (nuint)(capacity * width * sizeof(double)), CudaDriver.HostAllocPortable), "cuMemHostAlloc");
        _ring = new PinnedHostAllocation(context.Handle, p, capacity * width * sizeof(double));
        CudaDriver.Check(CudaDriver.cuEventCreate(out var e, CudaDriver.EventDisableTiming), "cuEventCreate");
        _lastCopy = new CudaEventHandle(context.Handle, e);
    }

    public int Capacity { get; }

    /// <summary>F64 values per step.</summary>
    public int Width { get; }

    /// <summary>Steps queued whose loss has not been read yet.</summary>
    public int Pending => (int)(_queued - _read);

    /// <summary>Queues the copy of <paramref name="loss"/> (<see cref="Width"/> contiguous F64 elements on this device) into the next slot.</summary>
    public void Queue(Tensor loss)
    {
        if (loss.Numel != Width || loss.DType != DType.F64 || !loss.IsContiguous)
        {
            throw new ArgumentException($"the loss ring takes {Width} contiguous F64 element(s) per step, not {loss.Describe()}");
        }
        if (Pending == Capacity)
        {
            throw new InvalidOperationException($"the loss ring holds {Capacity} unread losses: call Drain at least every {Capacity} steps");
        }
        var slot = (double*)_ring.DangerousGetHandle() + _queued % Capacity * Width;
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(slot, _backend.Ptr(loss), (nuint)(Width * sizeof(double)), _backend.Context.Stream), "cuMemcpyDtoHAsync_v2");
        CudaDriver.Check(CudaDriver.cuEventRecord(_lastCopy.DangerousGetHandle(), _backend.Context.Stream), "cuEventRecord");
        _queued++;
    }

    /// <summary>Waits for the last queued copy and returns the values not read yet, oldest step first (<see cref="Width"/> per step).</summary>
    public double[] Drain()
    {
        var result = new double[Pending * Width];
        if (result.Length == 0)
        {
            return result;
        }
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_lastCopy.DangerousGetHandle()), "cuEventSynchronize");
        var ring = (double*)_ring.DangerousGetHandle();
        for (var i = 0; i < Pending; i++)
        {
            var slot = (_read + i) % Capacity * Width;
            for (var j = 0; j < Width; j++)
            {
                result[i * Width + j] = ring[slot + j];
            }
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
