namespace NativeTrustRegion.Engine;

/// <summary>Times one call of a piece of device work, including everything it queued on the device (<see cref="IBackend.CreateStepTimer"/>).</summary>
public interface IStepTimer : IDisposable
{
    /// <summary>How the time is taken, for reports ("cuda-events" or "synchronize+stopwatch").</summary>
    string Method { get; }

    double Milliseconds(Action body);
}
