namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Device time of one call between two CUDA events on the back end's stream. The stream is drained first, so the
/// interval holds the call's own work plus any time the GPU waited on the host inside the call (host reads of the
/// loss, launch overhead) — what a training loop actually pays.
/// </summary>
public sealed class CudaEventStepTimer(CudaBackend gpu) : IStepTimer
{
    private readonly CudaEventTimer _events = new(gpu);

    public string Method => "cuda-events";

    public double Milliseconds(Action body)
    {
        gpu.Synchronize();
        return _events.Milliseconds(body);
    }

    public void Dispose() => _events.Dispose();
}
