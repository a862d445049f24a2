using NativeTrustRegion.Experiments.Cluster;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>`ntr status` of a local comparison, read from its run folders.</summary>
public sealed class SweepStatusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EveryStateIsReadFromTheRunFolders()
    {
        var plan = new ComparisonPlan
        {
            Preset = "demo",
            Methods = ["finetune", "ewc"],
            Seeds = [5, 6],
            Directory = _dir,
            Workers = 1,
            Adjust = c => RunnerTests.Tiny(c.Method) with { Seed = c.Seed },
        };
        plan.Save();
        // run 0 finished, run 1 stopped after 10 of 18 steps, run 2 training now, run 3 never started
        new ExperimentRunner(plan.ConfigFor("finetune", 5), new RunFolder(plan.RunDirectory("finetune", 5)), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(plan.ConfigFor("ewc", 5), new RunFolder(plan.RunDirectory("ewc", 5)), new SyntheticImageDomain(), SilentProgress.Instance) { StopAfterSteps = 10 }.Run());
        var training = new RunFolder(plan.RunDirectory("finetune", 6));
        training.WriteConfig(plan.ConfigFor("finetune", 6));

        using (training.MarkRunning())
        {
            var status = SweepStatus.Read(_dir);
            Assert.Null(status.Slurm);
            Assert.Equal(
                [SweepStatus.RunState.Done, SweepStatus.RunState.Stopped, SweepStatus.RunState.Running, SweepStatus.RunState.Pending],
                status.Runs.Select(r => r.State));
            Assert.Equal(18, status.Runs[0].Step);
            var stopped = status.Runs[1];
            Assert.Equal((10L, 2, 18L), (stopped.Step, stopped.Task, stopped.TotalSteps));
            Assert.Contains("`ntr resume", stopped.Detail);
            Assert.Equal("not started", status.Runs[3].Detail);
        }

        training.WriteFailure(new InvalidOperationException("the training loss is NaN"));
        var failed = SweepStatus.Read(_dir).Runs[2];
        Assert.Equal(SweepStatus.RunState.Failed, failed.State);
        Assert.Equal("InvalidOperationException: the training loss is NaN", failed.Detail);
    }
}
