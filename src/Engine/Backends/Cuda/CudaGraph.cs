namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// A captured, instantiated CUDA graph of the work one call queued on a back end's stream; <see cref="Launch"/>
/// replays it with one driver call. Rules while capturing, enforced by the back end with a
/// <see cref="CudaGraphCaptureException"/> that names the operation: no allocations (run the step once before
/// capturing so the pool is warm), no host reads (Item, ToArray, Dot) or synchronisations, no host→device copies of
/// data (stage per-step inputs with <see cref="PinnedStepInputs"/> before each launch; the back end's own constant
/// uploads are copied to page-locked memory the graph keeps), no cuDNN algorithm search (run each conv shape first),
/// random draws only from generators registered in <c>randomShifts</c> (their offset shift is read from device
/// memory at every replay), and every other per-step scalar must be read from device memory, since kernel
/// arguments are frozen. The pooled buffers the captured work used stay held (never trimmed) until Dispose.
/// </summary>
public sealed class CudaGraph : ICapturedStep
{
    private readonly CudaBackend _backend;
    private readonly CudaGraphHandle _graph;
    private readonly CudaGraphExecHandle _exec;
    private readonly CudaGraphCaptureState _state;

    /// <summary>
    /// The flags given to cuGraphInstantiateWithFlags: none. CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD is only valid for
    /// cuGraphInstantiateWithParams (with an upload stream); cuGraphInstantiateWithFlags rejects it with
    /// CUDA_ERROR_INVALID_VALUE. The graph is uploaded by its first launch instead.
    /// </summary>
    internal const ulong InstantiateFlags = 0;

    private CudaGraph(CudaBackend backend, CudaGraphHandle graph, CudaGraphExecHandle exec, CudaGraphCaptureState state)
    {
        _backend = backend;
        _graph = graph;
        _exec = exec;
        _state = state;
    }

    /// <summary>
    /// Captures everything <paramref name="body"/> queues on the stream (thread-local capture mode). A refused
    /// operation inside the body ends the capture and rethrows its <see cref="CudaGraphCaptureException"/>.
    /// </summary>
    /// <param name="randomShifts">Per generator seed, a one-element device tensor whose 8 bytes hold the u64 added to
    /// the counter offset of that generator's draws at every replay (written by the caller before each launch).</param>
    public static CudaGraph Capture(CudaBackend backend, Action body, IReadOnlyDictionary<ulong, Tensor>? randomShifts = null)
    {
        var context = backend.Context;
        context.MakeCurrent();
        var state = new CudaGraphCaptureState(backend, randomShifts);
        backend.BeginCapture(state);
        var began = CudaDriver.cuStreamBeginCapture(context.Stream, CudaDriver.CaptureModeThreadLocal);
        if (began != CudaDriver.Success)
        {
            backend.EndCapture();
            state.Dispose();
            throw CudaDriver.Error(began, "cuStreamBeginCapture_v2");
        }
        nint graph;
        try
        {
            body();
        }
        catch
        {
            backend.EndCapture();
            if (CudaDriver.cuStreamEndCapture(context.Stream, out var abandoned) == CudaDriver.Success && abandoned != 0)
            {
                new CudaGraphHandle(context.Handle, abandoned).Dispose();
            }
            state.Dispose();
            throw;
        }
        backend.EndCapture();
        state.HoldWorkspace(backend.CurrentConvolutionWorkspace);
        var ended = CudaDriver.cuStreamEndCapture(context.Stream, out graph);
        if (ended != CudaDriver.Success)
        {
            state.Dispose();
            throw CudaDriver.Error(ended, "cuStreamEndCapture (something in the captured region is not capturable: an allocation, a host read or a synchronisation)");
        }
        var graphHandle = new CudaGraphHandle(context.Handle, graph);
        var instantiated = CudaDriver.cuGraphInstantiateWithFlags(out var exec, graph, InstantiateFlags);
        if (instantiated != CudaDriver.Success)
        {
            graphHandle.Dispose();
            state.Dispose();
            throw CudaDriver.Error(instantiated, "cuGraphInstantiateWithFlags");
        }
        return new CudaGraph(backend, graphHandle, new CudaGraphExecHandle(context.Handle, exec), state);
    }

    public void Launch()
    {
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuGraphLaunch(_exec.DangerousGetHandle(), _backend.Context.Stream), "cuGraphLaunch");
    }

    /// <summary>Waits for the stream (a replay may still be running), then frees the graph and releases what it held.</summary>
    public void Dispose()
    {
        _backend.Context.Synchronize();
        _exec.Dispose();
        _graph.Dispose();
        _state.Dispose();
    }
}
