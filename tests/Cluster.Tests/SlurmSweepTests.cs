using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeTrustRegion.Cluster.Tests;

/// <summary>
/// `ntr compare --executor slurm` against a real Slurm (Debian's slurm-wlm 22.05 with munge) started on this machine
/// by tools/slurm-localhost.sh: a 2 × 2 sweep, one array task requeued while it trains, and the report compared with
/// the same sweep run locally. Needs root (slurmd starts jobs as their user); skipped only when not root.
/// </summary>
public sealed class SlurmSweepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-slurm-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a daemon may still be closing a log file; the temp folder is left behind
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static readonly string[] Sweep =
        ["--preset", "demo", "--methods", "finetune,ewc", "--seeds", "1,2", "--steps-per-task", "20", "--tasks", "2", "--eval-samples", "16"];

    [SkippableFact]
    public void SweepOnSlurmWithARequeuedTaskGivesTheSameReportAsTheLocalSweep()
    {
        Skip.If(GetEffectiveUserId() != 0, "slurmd must run as root to start jobs; this test runs Slurm only as root (CI runs as root)");
        foreach (var tool in new[] { "munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol" })
        {
            Assert.True(ExternalProcess.OnPath(tool) || File.Exists(Path.Combine("/usr/sbin", tool)), $"{tool} is missing: install slurm-wlm and munge with tools/setup-system.sh");
        }
        var cluster = Path.Combine(_dir, "cluster");
        var control = Path.Combine(ExternalProcess.RepositoryRoot, "tools", "slurm-localhost.sh");
        var env = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf"), ["NO_COLOR"] = "1" };
        try
        {
            ExternalProcess.Run("bash", [control, "start", cluster], timeoutSeconds: 60).EnsureSuccess("tools/slurm-localhost.sh start (Slurm could not start)");
            var slurmDir = Path.Combine(_dir, "slurm");
            var submitted = ExternalProcess.Ntr(["compare", .. Sweep, "--out", slurmDir, "--executor", "slurm"], env).EnsureSuccess("ntr compare --executor slurm");
            using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(slurmDir, "slurm.json")));
            var job = record.RootElement.GetProperty("job_ids")[0].GetString()!;
            Assert.Contains($"submitted Slurm job array {job} (4 tasks", submitted.Output);
            var script = File.ReadAllText(Path.Combine(slurmDir, "sweep.sbatch"));
            Assert.Contains($"ntr=({ExternalProcess.DotnetHost} {ExternalProcess.NtrDll})", script);

            // array task 1 is ewc seed 1: requeue it once it has trained a few steps
            var metrics = Path.Combine(slurmDir, "ewc-seed1", "metrics.jsonl");
            WaitFor(() => QueueState(job, 1, env) == "RUNNING" && File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 3, 180, "array task 1 training", cluster);
            var running = ExternalProcess.Ntr(["status", slurmDir], env).EnsureSuccess("ntr status");
            Assert.Matches(@"│ 1 *│ ewc *│ 1 *│ running *│ 1/2 *│ \d+/40 ", running.Output);
            ExternalProcess.Run("scontrol", ["requeue", $"{job}_1"], env).EnsureSuccess("scontrol requeue");
            // Slurm holds a requeued job back for a while (BeginTime); let it start again at once
            WaitFor(() => QueueState(job, 1, env) == "PENDING", 60, "the requeued task pending", cluster);
            ExternalProcess.Run("scontrol", ["update", $"JobId={job}_1", "StartTime=now"], env).EnsureSuccess("scontrol update StartTime=now");
            WaitFor(() => ExternalProcess.Run("squeue", ["-h", "-j", job], env).Output.Trim().Length == 0, 300, "the job array to finish", cluster);

            var log = File.ReadAllText(Path.Combine(slurmDir, "logs", "task-1.log"));
            Assert.Contains("SIGTERM (requeue, preemption or scancel): checkpointing", log);
            Assert.Matches(@"ntr: stopped after step \d+ with its checkpoint written", log);
            Assert.Contains("(restart 1)", log);
            Assert.Contains("resuming from", log);
            var status = ExternalProcess.Ntr(["status", slurmDir], env).EnsureSuccess("ntr status");
            Assert.Contains("4 of 4 runs done", status.Output);
            Assert.Contains("all 4 runs of the comparison are in it", ExternalProcess.Ntr(["report", slurmDir], env).EnsureSuccess("ntr report").Output);

            var localDir = Path.Combine(_dir, "local");
            ExternalProcess.Ntr(["compare", .. Sweep, "--out", localDir, "--executor", "local", "--workers", "2"], env).EnsureSuccess("ntr compare --executor local");

            var slurmSummary = JsonNode.Parse(File.ReadAllText(Path.Combine(slurmDir, "summary.json")))!["methods"]!;
            var localSummary = JsonNode.Parse(File.ReadAllText(Path.Combine(localDir, "summary.json")))!["methods"]!;
            foreach (var method in new[] { "finetune", "ewc" })
            {
                // bit-identical numbers: the requeued run resumed from its checkpoint, and CPU results do not depend on threads
                Assert.Equal(localSummary[method]!.ToJsonString(), slurmSummary[method]!.ToJsonString());
                Assert.True(double.IsFinite(slurmSummary[method]!["avg_metric"]!.GetValue<double>()));
            }
            Assert.Equal(2, slurmSummary.AsObject().Count);
        }
        finally
        {
            ExternalProcess.Run("bash", [control, "stop", cluster], timeoutSeconds: 60);
        }
    }

    private static string QueueState(string job, int index, IDictionary<string, string> env)
    {
        var lines = ExternalProcess.Run("squeue", ["-h", "-r", "-j", job, "-o", "%i %T"], env).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(l => l.Trim().Split(' ')).Where(f => f.Length == 2 && f[0] == $"{job}_{index}").Select(f => f[1]).FirstOrDefault() ?? "";
    }

    private static void WaitFor(Func<bool> condition, int seconds, string what, string cluster)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                var tails = string.Join("\n", new[] { "slurmctld.log", "slurmd.log" }.Select(f => Path.Combine(cluster, f)).Where(File.Exists)
                    .Select(f => $"--- {f}\n{string.Join('\n', File.ReadLines(f).TakeLast(15))}"));
                Assert.Fail($"waited {seconds} s for {what}\n{tails}");
            }
            Thread.Sleep(500);
        }
    }
}
