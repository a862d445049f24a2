using System.Text.Json;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>
/// A comparison executed on Slurm: the plan (compare.json), the generated script (sweep.sbatch) and, in slurm.json,
/// the sbatch options and every job id it was submitted as (the last one is current).
/// </summary>
public sealed record SlurmSweep
{
    public required SlurmOptions Options { get; init; }

    public List<string> JobIds { get; init; } = [];

    public static string RecordPath(string directory) => Path.Combine(directory, "slurm.json");

    public static SlurmSweep? TryLoad(string directory) =>
        File.Exists(RecordPath(directory))
            ? JsonSerializer.Deserialize<SlurmSweep>(File.ReadAllText(RecordPath(directory)), ExperimentConfig.Json)
            : null;

    [System.Text.Json.Serialization.JsonIgnore]
    public string? CurrentJobId => JobIds.Count > 0 ? JobIds[^1] : null;

    /// <summary>
    /// Saves the plan, writes the script and submits it with `sbatch --parsable`; returns the sweep with the new job id
    /// recorded. Runs already finished are skipped by their array tasks (they exit at once).
    /// </summary>
    public static SlurmSweep Submit(ComparisonPlan plan, SlurmOptions options, NtrCommandLine ntr)
    {
        if (plan.Directory.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"--out '{plan.Directory}' contains white space, which sbatch's #SBATCH lines cannot hold. Fix: choose a folder without spaces.");
        }
        plan = plan with { Executor = "slurm" };
        plan.Save();
        Directory.CreateDirectory(SlurmSweepScript.LogDirectory(plan.Directory));
        var script = SlurmSweepScript.ScriptPath(plan.Directory);
        AtomicFile.WriteAllText(script, SlurmSweepScript.Generate(plan, options, ntr));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        var outcome = ExternalCommand.TryRun("sbatch", ["--parsable", script])
            ?? throw new InvalidOperationException("sbatch not found: run `ntr compare --executor slurm` on a Slurm login node (or install slurm-wlm), or use --executor local.");
        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException($"sbatch refused {script} (exit {outcome.ExitCode}): {outcome.Error.Trim()}{outcome.Output.Trim()}. Fix the sbatch options (--partition, --gres, --time, --account) and submit again.");
        }
        // --parsable prints "jobid" or "jobid;cluster"
        var jobId = outcome.Output.Trim().Split(';')[0];
        if (jobId.Length == 0 || !jobId.All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException($"sbatch printed no job id: '{outcome.Output.Trim()}'");
        }
        var earlier = TryLoad(plan.Directory);
        var sweep = new SlurmSweep { Options = options, JobIds = [.. earlier?.JobIds ?? [], jobId] };
        AtomicFile.WriteAllText(RecordPath(plan.Directory), JsonSerializer.Serialize(sweep, ExperimentConfig.Json));
        return sweep;
    }
}
