namespace NativeTrustRegion.Cli.Errors;

/// <summary>The exit codes of `ntr` (listed in the README's "Exit codes and errors").</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command started but failed: a corrupt or missing file, no GPU, out of memory, disk full, training diverged, an internal error.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong (unknown option, name or value, a path that does not exist); nothing was done or written.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by SIGTERM/SIGINT after writing a checkpoint (EX_TEMPFAIL); `ntr resume` continues. Slurm array tasks requeue on it.</summary>
    public const int Interrupted = NativeTrustRegion.Experiments.Cluster.ExitCodes.Interrupted;
}
