namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// What the back end keeps while a graph is captured and for as long as the graph lives: the pooled buffers the
/// captured work uses (held, so <see cref="BufferPool.Trim"/> never frees memory the graph will touch; between replays
/// the pool may lend them to other work, since a step's temporaries are dead then and everything runs on one stream),
/// page-locked copies of the constants uploaded while capturing (their memcpy nodes read them at every replay), and
/// the device offset shifts of the random generators the captured step draws from.
/// </summary>
internal sealed class CudaGraphCaptureState(CudaBackend backend, IReadOnlyDictionary<ulong, Tensor>? randomShifts) : IDisposable
{
    private readonly HashSet<Storage> _held = new(ReferenceEqualityComparer.Instance);
    private readonly List<PinnedHostAllocation> _constants = new();

    /// <summary>Called by the pool for every buffer lent during the capture.</summary>
    public void Hold(Storage storage)
    {
        if (_held.Add(storage))
        {
            storage.GraphHolds++;
        }
    }

    /// <summary>
    /// The device address of the u64 that shifts the counter offset of generator <paramref name="seed"/> at replay;
    /// refuses a generator the captured step did not register (its draws would repeat the capture's at every replay).
    /// </summary>
    public ulong ShiftFor(ulong seed, string draw)
    {
        if (randomShifts is not null && randomShifts.TryGetValue(seed, out var shift))
        {
            return backend.Ptr(shift);
        }
        throw new CudaGraphCaptureException(draw + $" from the generator with seed {seed}",
            "its counter offset would be frozen into the graph, so every replay would draw the same numbers",
            "register the generator with the captured step (CudaGraph.Capture's randomShifts) and stage its offset shift each step, or run this step eagerly");
    }

    /// <summary>A page-locked copy of <paramref name="values"/> that lives as long as the graph (the source of a captured memcpy).</summary>
    public unsafe byte* Constant(ReadOnlySpan<byte> values)
    {
        var context = backend.Context;
        CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var p, (nuint)Math.Max(1, values.Length), CudaDriver.HostAllocPortable), "cuMemHostAlloc");
        _constants.Add(new PinnedHostAllocation(context.Handle, p, values.Length));
        values.CopyTo(new Span<byte>((void*)p, values.Length));
        return (byte*)p;
    }

    /// <summary>
    /// Holds the convolution workspace the captured convolutions point into: if an eager convolution later needs a
    /// larger one, the back end replaces it without freeing this one, and Dispose frees it once no graph uses it.
    /// </summary>
    public void HoldWorkspace(CudaStorage? workspace)
    {
        if (workspace is not null && _workspace is null)
        {
            _workspace = workspace;
            workspace.GraphHolds++;
        }
    }

    private CudaStorage? _workspace;

    public void Dispose()
    {
        foreach (var s in _held)
        {
            s.GraphHolds--;
        }
        _held.Clear();
        if (_workspace is not null && --_workspace.GraphHolds == 0 && !ReferenceEquals(_workspace, backend.CurrentConvolutionWorkspace))
        {
            _workspace.Free();
        }
        _workspace = null;
        foreach (var c in _constants)
        {
            c.Dispose();
        }
        _constants.Clear();
    }
}
