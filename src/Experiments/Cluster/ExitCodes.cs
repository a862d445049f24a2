namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>ntr's exit codes that a batch script acts on.</summary>
public static class ExitCodes
{
    /// <summary>
    /// Stopped on SIGTERM/SIGINT after writing the checkpoint (EX_TEMPFAIL: try again later); `ntr resume` continues.
    /// A cluster may requeue it automatically with RequeueExit=75 in slurm.conf.
    /// </summary>
    public const int Interrupted = 75;
}
