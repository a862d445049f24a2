using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>Times one call of a piece of device work, including everything it queued on the device.</summary>
public interface IStepTimer : IDisposable
{
    /// <summary>How the time is taken, for the report ("cuda-events" or "synchronize+stopwatch").</summary>
    string Method { get; }

    double Milliseconds(Action body);

    /// <summary>CUDA events on a GPU back end; on any other back end, a stopwatch between two synchronisations.</summary>
    static IStepTimer For(IBackend backend) =>
        backend is CudaBackend gpu ? new CudaEventStepTimer(gpu) : new SynchronizedStopwatchStepTimer(backend);
}
