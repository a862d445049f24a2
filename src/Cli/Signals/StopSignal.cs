using System.Runtime.InteropServices;

namespace NativeTrustRegion.Cli.Signals;

/// <summary>
/// Turns the first SIGTERM or SIGINT (Slurm's requeue, preemption, time-limit warning forwarded by the batch script,
/// scancel, or Ctrl-C) into a stop request: the run finishes its step, writes its checkpoint and ntr exits with
/// <see cref="Experiments.Cluster.ExitCodes.Interrupted"/>. A second SIGINT (Ctrl-C twice) terminates at once; further
/// SIGTERMs are absorbed, because Slurm signals every process of a job while the batch script forwards the signal too
/// (Slurm's SIGKILL after KillWait is the hard stop).
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public StopSignal()
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    public CancellationToken Token => _source.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
        {
            // a second Ctrl-C: default handling ends the process; another SIGTERM: already stopping
            context.Cancel = context.Signal != PosixSignal.SIGINT;
            return;
        }
        context.Cancel = true;
        Console.Error.WriteLine($"ntr: {context.Signal} received: finishing the current step and writing the checkpoint (Ctrl-C again stops at once)");
        _source.Cancel();
    }

    public void Dispose()
    {
        _registrations.ForEach(r => r.Dispose());
        _source.Dispose();
    }
}
