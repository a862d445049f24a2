namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// A captured, instantiated CUDA graph of the work one call queued on a back end's stream; <see cref="Launch"/>
/// replays it with one driver call. Rules while capturing: no allocations (run the step once before capturing so
/// the pool is warm), no host reads (Item, ToArray, Dot), no cuDNN algorithm search (run each conv shape first),
/// and every per-step scalar must be read from device memory, since kernel arguments are frozen.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    private readonly CudaBackend _backend;
    private readonly CudaGraphHandle _graph;
    private readonly CudaGraphExecHandle _exec;

    /// <summary>
    /// The flags given to cuGraphInstantiateWithFlags: none. CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD is only valid for
    /// cuGraphInstantiateWithParams (with an upload stream); cuGraphInstantiateWithFlags rejects it with
    /// CUDA_ERROR_INVALID_VALUE. The graph is uploaded by its first launch instead.
    /// </summary>
    internal const ulong InstantiateFlags = 0;

    private CudaGraph(CudaBackend backend, CudaGraphHandle graph, CudaGraphExecHandle exec)
    {
        _backend = backend;
        _graph = graph;
        _exec = exec;
    }

    /// <summary>Captures everything <paramref name="body"/> queues on the stream (thread-local capture mode).</summary>
    public static CudaGraph Capture(CudaBackend backend, Action body)
    {
        var context = backend.Context;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamBeginCapture(context.Stream, CudaDriver.CaptureModeThreadLocal), "cuStreamBeginCapture_v2");
        nint graph;
        try
        {
            body();
        }
        finally
        {
            var ended = CudaDriver.cuStreamEndCapture(context.Stream, out graph);
            if (ended != CudaDriver.Success)
            {
                throw CudaDriver.Error(ended, "cuStreamEndCapture (something in the captured region is not capturable: an allocation, a host read or a synchronisation)");
            }
        }
        var graphHandle = new CudaGraphHandle(context.Handle, graph);
        CudaDriver.Check(CudaDriver.cuGraphInstantiateWithFlags(out var exec, graph, InstantiateFlags), "cuGraphInstantiateWithFlags");
        return new CudaGraph(backend, graphHandle, new CudaGraphExecHandle(context.Handle, exec));
    }

    public void Launch()
    {
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuGraphLaunch(_exec.DangerousGetHandle(), _backend.Context.Stream), "cuGraphLaunch");
    }

    public void Dispose()
    {
        _exec.Dispose();
        _graph.Dispose();
    }
}
