namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>Times work queued on a back end's stream with a pair of CUDA events (device time, not host time).</summary>
public sealed class CudaEventTimer : IDisposable
{
    private readonly CudaBackend _backend;
    private readonly CudaEventHandle _start;
    private readonly CudaEventHandle _end;

    public CudaEventTimer(CudaBackend backend)
    {
        _backend = backend;
        backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out var s, CudaDriver.EventDefault), "cuEventCreate");
        _start = new CudaEventHandle(backend.Context.Handle, s);
        CudaDriver.Check(CudaDriver.cuEventCreate(out var e, CudaDriver.EventDefault), "cuEventCreate");
        _end = new CudaEventHandle(backend.Context.Handle, e);
    }

    /// <summary>Milliseconds of one call of <paramref name="body"/>, from an event recorded before it to one recorded after it (waits for the second).</summary>
    public double Milliseconds(Action body)
    {
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventRecord(_start.DangerousGetHandle(), _backend.Context.Stream), "cuEventRecord");
        body();
        _backend.Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventRecord(_end.DangerousGetHandle(), _backend.Context.Stream), "cuEventRecord");
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_end.DangerousGetHandle()), "cuEventSynchronize");
        CudaDriver.Check(CudaDriver.cuEventElapsedTime(out var ms, _start.DangerousGetHandle(), _end.DangerousGetHandle()), "cuEventElapsedTime");
        return ms;
    }

    public void Dispose()
    {
        _start.Dispose();
        _end.Dispose();
    }
}
