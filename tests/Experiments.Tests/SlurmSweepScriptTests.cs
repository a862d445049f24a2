using System.Diagnostics;
using NativeTrustRegion.Experiments.Cluster;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The generated sbatch script, run by bash as Slurm would run one array task, with a stand-in ntr (a shell function
/// recording its arguments) and a stand-in scontrol; the real Slurm is exercised in tests/Cluster.Tests.
/// </summary>
public sealed class SlurmSweepScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-sbatch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ComparisonPlan Plan() => new()
    {
        Preset = "demo",
        Methods = ["finetune", "trust-region"],
        Seeds = [1, 22],
        Directory = Path.Combine(_dir, "sweep"),
        StepsPerTask = 7,
        Tasks = 2,
        EvaluationSamples = 16,
        Executor = "slurm",
    };

    /// <summary>A stand-in ntr: records its arguments, then sleeps (exits 75 on SIGTERM, as ntr after its checkpoint).</summary>
    private NtrCommandLine FakeNtr(double sleepSeconds) => new(
        ["bash", "-c", $"echo \"$@\" > {_dir}/ntr-args; trap 'echo term >> {_dir}/ntr-args; kill $! 2>/dev/null; exit 75' TERM; sleep {sleepSeconds} & wait", "ntr"],
        "a stand-in for tests");

    private (Process Process, string Log) Start(string script, int index)
    {
        var bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "scontrol"), $"#!/bin/sh\necho \"$@\" > {_dir}/scontrol-args\n");
        Process.Start("chmod", ["+x", Path.Combine(bin, "scontrol")])!.WaitForExit();
        var log = Path.Combine(_dir, $"log-{index}");
        var info = new ProcessStartInfo("bash", ["-c", $"exec bash {script} > {log} 2>&1"]) { UseShellExecute = false };
        info.Environment["SLURM_ARRAY_TASK_ID"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["SLURM_ARRAY_JOB_ID"] = "4242";
        info.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        return (Process.Start(info)!, log);
    }

    private string ArgsWritten()
    {
        var path = Path.Combine(_dir, "ntr-args");
        for (var i = 0; i < 200 && !File.Exists(path); i++)
        {
            Thread.Sleep(25);
        }
        return File.ReadAllText(path).Trim();
    }

    [Fact]
    public void ArrayTaskStartsItsRunThenResumesItAndRequeuesItselfBeforeTheTimeLimit()
    {
        var plan = Plan();
        var options = new SlurmOptions { Partition = "gpu", Gres = "gpu:1", Time = "04:00:00", Account = "lab" };
        var text = SlurmSweepScript.Generate(plan, options, FakeNtr(0.01));
        Assert.Contains("#SBATCH --array=0-3", text);
        Assert.Contains("#SBATCH --requeue", text);
        Assert.Contains("#SBATCH --signal=B:USR1@120", text);
        Assert.Contains("#SBATCH --gres=gpu:1", text);
        Assert.Contains("#SBATCH --time=04:00:00", text);
        Assert.Contains("#SBATCH --partition=gpu", text);
        Assert.Contains("#SBATCH --account=lab", text);
        Assert.Contains($"#SBATCH --output={plan.Directory}/logs/task-%a.log", text);
        var script = Path.Combine(_dir, "sweep.sbatch");
        File.WriteAllText(script, text);

        // array task 3 = seed 22 (outer), trust-region (inner); first start: `ntr run` with the plan's overrides
        var (p, _) = Start(script, 3);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal($"run --method trust-region --preset demo --seed 22 --out {plan.Directory}/trust-region-seed22 --steps-per-task 7 --tasks 2 --eval-samples 16", ArgsWritten());

        // after a checkpoint: `ntr resume RUN`
        File.Delete(Path.Combine(_dir, "ntr-args"));
        var run = plan.RunDirectory("trust-region", 22);
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllText(Path.Combine(run, "checkpoints", "latest.safetensors"), "");
        (p, _) = Start(script, 3);
        p.WaitForExit();
        Assert.Equal($"resume {run}", ArgsWritten());

        // USR1 (the time limit is near): ntr is stopped with SIGTERM, exits 75, the task requeues itself
        File.Delete(Path.Combine(_dir, "ntr-args"));
        File.WriteAllText(script, SlurmSweepScript.Generate(plan, options, FakeNtr(30)));
        (p, var log) = Start(script, 3);
        ArgsWritten();
        Thread.Sleep(200);
        Assert.Equal(0, Syscall.Kill(p.Id, 10 /* SIGUSR1 */));
        Assert.True(p.WaitForExit(10_000), "the script did not end after USR1");
        Assert.Equal(75, p.ExitCode);
        Assert.Equal($"resume {run}\nterm", File.ReadAllText(Path.Combine(_dir, "ntr-args")).Trim());
        Assert.Equal("requeue 4242_3", File.ReadAllText(Path.Combine(_dir, "scontrol-args")).Trim());
        Assert.Contains("time limit near (USR1)", File.ReadAllText(log));

        // SIGTERM (Slurm's requeue or scancel): checkpoint and exit, but no self-requeue
        File.Delete(Path.Combine(_dir, "scontrol-args"));
        File.Delete(Path.Combine(_dir, "ntr-args"));
        (p, _) = Start(script, 3);
        ArgsWritten();
        Thread.Sleep(200);
        Assert.Equal(0, Syscall.Kill(p.Id, 15 /* SIGTERM */));
        Assert.True(p.WaitForExit(10_000), "the script did not end after SIGTERM");
        Assert.Equal(75, p.ExitCode);
        Assert.False(File.Exists(Path.Combine(_dir, "scontrol-args")));

        // a finished run exits at once
        File.Delete(Path.Combine(_dir, "ntr-args"));
        File.WriteAllText(Path.Combine(run, "results.json"), "{}");
        (p, log) = Start(script, 3);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.False(File.Exists(Path.Combine(_dir, "ntr-args")));
        Assert.Contains("already finished", File.ReadAllText(log));
    }

    [Fact]
    public void ShellQuotingSurvivesBash()
    {
        string[] words = ["plain", "with space", "it's", "$HOME", "a\"b", "semi;colon", "*"];
        var psi = new ProcessStartInfo("bash", ["-c", $"for w in {ShellWords.Join(words)}; do printf '%s\\n' \"$w\"; done"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(words, output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void BadSbatchValuesAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => SlurmSweepScript.Generate(Plan(), new SlurmOptions { Partition = "a b" }, FakeNtr(0)));
        Assert.Contains("--partition 'a b' contains white space", e.Message);
    }

    private static class Syscall
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
