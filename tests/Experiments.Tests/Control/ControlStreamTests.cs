using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class ControlStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-control-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Demonstrations => Path.Combine(_dir, "demos");

    [Theory]
    [InlineData("finetune")]
    [InlineData("trust-region")]
    public void TwoTaskStreamRunsWithFiniteMetricsWithoutReadingFinishedTasks(string method)
    {
        var domain = new GuardedControlDomain();
        var folder = new RunFolder(Path.Combine(_dir, method));
        var result = new ExperimentRunner(ControlTestConfigs.TwoTaskSmoke(method, Demonstrations), folder, domain, SilentProgress.Instance).Run();

        Assert.Equal(["handle-press-side", "window-close"], result.TaskNames);
        Assert.Equal("success rate", result.Metric.Name);
        Assert.Equal(2, result.Matrix.Length);
        Assert.All(result.Matrix.SelectMany(r => r), v => Assert.InRange(v!.Value, 0.0, 1.0));
        Assert.All(result.Probes, p => Assert.True(double.IsFinite(p.Value) && p.Value > 0));
        Assert.Equal(12, File.ReadAllLines(folder.MetricsPath).Length);
        Assert.True(File.Exists(folder.TaskCheckpoint(1)));
        // 3 evaluation rollouts per task, listed per task after the second task
        var rollouts = File.ReadAllLines(Path.Combine(folder.SamplesDirectory, "rollouts-after-task-02.csv"));
        Assert.Equal(1 + 2 * 3, rollouts.Length);
        Assert.All(domain.Tasks, t => Assert.True(t.Closed));
        Assert.All(domain.Tasks, t => Assert.Equal(0, t.ReadsAfterClose));
        if (method == "trust-region")
        {
            var replay = Assert.IsType<TeacherRolloutReplay>(domain.Setup!.Replay);
            var built = Assert.Single(replay.LastBuild);
            Assert.Equal(2, built.Rollouts);
            Assert.Equal(16, built.WindowsKept);
            Assert.True(built.WindowsAvailable > 0);
        }
    }

    [Fact]
    public void KilledAndResumedTrustRegionRunEqualsUninterruptedRun()
    {
        var config = ControlTestConfigs.TwoTaskSmoke("trust-region", Demonstrations);
        var full = new ExperimentRunner(config, new RunFolder(Path.Combine(_dir, "full")), new ControlExperimentDomain(), SilentProgress.Instance).Run();
        var folder = new RunFolder(Path.Combine(_dir, "killed"));
        // killed in task 2 after step 10; the last checkpoint (step 8) holds the replay pool built after task 1
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(config, folder, new ControlExperimentDomain(), SilentProgress.Instance) { StopAfterSteps = 10 }.Run());
        var resumed = new ExperimentRunner(folder.ReadConfig(), folder, new ControlExperimentDomain(), SilentProgress.Instance).Run();
        Assert.Equal(full.Matrix.SelectMany(r => r), resumed.Matrix.SelectMany(r => r));
        Assert.Equal(full.Probes.Select(p => p.Value), resumed.Probes.Select(p => p.Value));
    }
}
