using System.Diagnostics;

namespace NativeTrustRegion.Engine;

/// <summary>Wall time of one call between two device synchronisations (for back ends without device events, e.g. the CPU).</summary>
public sealed class SynchronizedStopwatchStepTimer(IBackend backend) : IStepTimer
{
    public string Method => "synchronize+stopwatch";

    public double Milliseconds(Action body)
    {
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        body();
        backend.Synchronize();
        return clock.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
    }
}
