using System.Globalization;

namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>
/// What Slurm says about the array tasks of one job: squeue for queued and running tasks, sacct (when the cluster
/// keeps accounting) for finished ones. Null when the tools are missing or do not answer.
/// </summary>
public static class SlurmQueue
{
    /// <summary>Slurm's view of one array task: state (PENDING, RUNNING, COMPLETED, FAILED, ...), reason or exit code.</summary>
    public sealed record TaskState(string State, string Detail, string Source);

    /// <summary>Array index → state, from squeue (queued/running) and sacct (finished, if accounting is on).</summary>
    public static IReadOnlyDictionary<int, TaskState>? Query(string jobId, out string? problem)
    {
        problem = null;
        var states = new Dictionary<int, TaskState>();
        var squeue = ExternalCommand.TryRun("squeue", ["-h", "-r", "-j", jobId, "-o", "%i|%T|%r|%M"], TimeSpan.FromSeconds(30));
        if (squeue is null)
        {
            problem = "squeue not found (not on a Slurm node?): states are read from the run folders only";
            return null;
        }
        if (squeue.ExitCode != 0)
        {
            // a job no longer known to slurmctld makes squeue fail with "Invalid job id specified"
            if (!squeue.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            {
                var lines = squeue.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                problem = $"squeue failed ({(lines.Length > 0 ? lines[^1] : $"exit {squeue.ExitCode}")}); states are read from the run folders and logs only";
            }
        }
        else
        {
            foreach (var line in squeue.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var f = line.Split('|');
                if (f.Length >= 4 && TryIndex(f[0], jobId, out var index))
                {
                    states[index] = new TaskState(f[1], f[1] == "RUNNING" ? $"for {f[3]}" : f[2], "squeue");
                }
            }
        }
        var sacct = ExternalCommand.TryRun("sacct", ["-n", "-P", "-X", "-j", jobId, "-o", "JobID,State,ExitCode"], TimeSpan.FromSeconds(30));
        if (sacct is { ExitCode: 0 })
        {
            foreach (var line in sacct.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var f = line.Split('|');
                if (f.Length >= 3 && TryIndex(f[0], jobId, out var index) && !states.ContainsKey(index))
                {
                    states[index] = new TaskState(f[1].Split(' ')[0], $"exit code {f[2]}", "sacct");
                }
            }
        }
        return states;
    }

    private static bool TryIndex(string id, string jobId, out int index)
    {
        index = -1;
        var prefix = jobId + "_";
        return id.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(id.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
