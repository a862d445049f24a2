using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>
/// The state of every run of a comparison (local or Slurm), read from the run folders — config.json, metrics.jsonl,
/// results.json, failure.txt, the run.lock a training process holds — the Slurm tasks' logs, and for a Slurm sweep
/// squeue/sacct when they answer.
/// </summary>
public static class SweepStatus
{
    public enum RunState
    {
        Pending,
        Running,
        Stopped,
        Failed,
        Done,
    }

    public sealed record Run(
        int Index, string Method, ulong Seed, string Directory, RunState State, int? Task, int Tasks, long Step, long TotalSteps,
        double? StepsPerSecond, TimeSpan? Eta, string Detail);

    public sealed record Sweep(ComparisonPlan Plan, SlurmSweep? Slurm, IReadOnlyList<Run> Runs, string? QueueProblem);

    public static Sweep Read(string directory)
    {
        if (!File.Exists(ComparisonPlan.PlanPath(directory)))
        {
            throw new FileNotFoundException($"{ComparisonPlan.PlanPath(directory)} not found: '{directory}' is not a comparison folder (start one with `ntr compare`)");
        }
        var plan = ComparisonPlan.Load(directory) with { Directory = Path.GetFullPath(directory) };
        var slurm = SlurmSweep.TryLoad(directory);
        string? problem = null;
        IReadOnlyDictionary<int, SlurmQueue.TaskState>? queue = null;
        if (slurm?.CurrentJobId is { } job)
        {
            queue = SlurmQueue.Query(job, out problem);
        }
        var runs = plan.Runs.Select((r, i) => Of(plan, i, r.Method, r.Seed, slurm, queue)).ToList();
        return new Sweep(plan, slurm, runs, problem);
    }

    private static Run Of(ComparisonPlan plan, int index, string method, ulong seed, SlurmSweep? slurm, IReadOnlyDictionary<int, SlurmQueue.TaskState>? queue)
    {
        var folder = new RunFolder(plan.RunDirectory(method, seed));
        var config = File.Exists(folder.ConfigPath) ? folder.ReadConfig() : plan.ConfigFor(method, seed);
        var tasks = config.TaskCount;
        var total = (long)tasks * config.StepsPerTask;
        var (step, task, rate) = LastStep(folder.MetricsPath);
        var queued = queue is not null && queue.TryGetValue(index, out var q) ? q : null;
        var log = slurm is null ? null : SlurmSweepScript.LogPath(plan.Directory, index);
        Run Make(RunState state, string detail, TimeSpan? eta = null) =>
            new(index, method, seed, folder.Root, state, task, tasks, step, total, rate, eta, detail);

        if (folder.IsFinished)
        {
            return Make(RunState.Done, "results.json written") with { Step = total, Task = tasks };
        }
        if (queued is { State: "RUNNING" } || (queued is null && folder.IsRunning))
        {
            TimeSpan? eta = rate is > 0 ? TimeSpan.FromSeconds((total - step) / rate.Value) : null;
            var where = queued is null ? "training" : $"Slurm task {slurm!.CurrentJobId}_{index} {queued.Detail}";
            return Make(RunState.Running, where, eta);
        }
        if (queued is not null && queued.State is "PENDING" or "REQUEUED" or "CONFIGURING" or "REQUEUE_HOLD" or "REQUEUE_FED" or "SUSPENDED")
        {
            var resumeAt = folder.HasCheckpoint ? $"; resumes from its checkpoint (step {step})" : "";
            return Make(RunState.Pending, $"queued ({queued.State.ToLowerInvariant()}: {queued.Detail}){resumeAt}");
        }
        if (folder.ReadFailure() is { } failure)
        {
            return Make(RunState.Failed, failure + LogHint(log));
        }
        if (slurm is not null)
        {
            if (queued is not null && queued.State is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE")
            {
                return Make(RunState.Failed, $"Slurm: {queued.State} ({queued.Detail}); {LogReason(log)}");
            }
            if (queue is not null && File.Exists(log))
            {
                return Make(RunState.Failed, $"no longer queued; {LogReason(log)}");
            }
            return Make(RunState.Pending, queue is null ? "not started (Slurm not queried)" : "not started");
        }
        if (!File.Exists(folder.ConfigPath))
        {
            return Make(RunState.Pending, "not started");
        }
        return Make(RunState.Stopped, folder.HasCheckpoint ? $"stopped; `ntr resume {plan.Directory}` continues from its checkpoint" : "stopped before its first checkpoint");
    }

    private static string LogHint(string? log) => log is not null && File.Exists(log) ? $" (log: {log})" : "";

    /// <summary>The most telling line of a task log's tail: the last error or exception line, else the last line.</summary>
    public static string LogReason(string? log)
    {
        if (log is null || !File.Exists(log))
        {
            return "no log";
        }
        var lines = Tail(log, 16_384).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return $"empty log {log}";
        }
        var telling = lines.LastOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase)
            || l.Contains("Unhandled", StringComparison.Ordinal) || l.Contains("Killed", StringComparison.Ordinal) || l.Contains("CANCELLED", StringComparison.Ordinal));
        return $"log: {telling ?? lines[^1]} ({log})";
    }

    private static (long Step, int? Task, double? Rate) LastStep(string metricsPath)
    {
        if (!File.Exists(metricsPath))
        {
            return (0, null, null);
        }
        foreach (var line in Tail(metricsPath, 8_192).Split('\n', StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            try
            {
                var node = JsonNode.Parse(line);
                if (node?["step"] is { } step)
                {
                    return (step.GetValue<long>(), node["task"]?.GetValue<int>(), node["steps_per_second"]?.GetValue<double>());
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // a half-written line (being written now, or cut by a crash)
            }
        }
        return (0, null, null);
    }

    private static string Tail(string path, int bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - bytes);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - start];
        stream.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer);
        return start > 0 && text.IndexOf('\n') is var cut and >= 0 ? text[(cut + 1)..] : text;
    }
}
