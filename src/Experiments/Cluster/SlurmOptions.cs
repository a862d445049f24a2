namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>
/// What each array task of a Slurm sweep asks for (sbatch options); null = the cluster's default. Saved in
/// slurm.json next to the plan so the script can be regenerated.
/// </summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }

    /// <summary>Generic resources per task, e.g. gpu:1.</summary>
    public string? Gres { get; init; }

    /// <summary>Time limit per task (sbatch --time: HH:MM:SS, D-HH:MM:SS or minutes).</summary>
    public string? Time { get; init; }

    public string? Account { get; init; }

    /// <summary>CPU cores per task; the run uses that many threads (NTR_THREADS).</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Seconds before the time limit at which the batch script is warned (USR1) to checkpoint and requeue.</summary>
    public int WarningSeconds { get; init; } = 120;
}
