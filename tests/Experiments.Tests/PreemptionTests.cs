using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>A stop request (SIGTERM from Slurm) checkpoints at the next step boundary; resuming gives the same results.</summary>
public sealed class PreemptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Cancels the stop token when the run reports global step <paramref name="atStep"/>.</summary>
    private sealed class StopAt(CancellationTokenSource stop, int atStep) : IRunProgress
    {
        private int _steps;

        public void Phase(string description)
        {
        }

        public void StartTask(int task, int tasks, int stepsPerTask, int startStep) => _steps = task * stepsPerTask + startStep;

        public void Step(int task, int stepInTask, double loss, double stepsPerSecond)
        {
            if (++_steps == atStep)
            {
                stop.Cancel();
            }
        }

        public void TaskEvaluated(int task, IReadOnlyList<double?> metricRow, string metricName)
        {
        }

        public void Message(string text)
        {
        }
    }

    [Theory]
    [InlineData("trust-region", 5)] // mid-task 1, between the periodic checkpoints (every 4 steps)
    [InlineData("vrmcl", 9)] // mid-task 2
    [InlineData("ewc", 6)] // the last step of task 1: stops after the task's end and checkpoint
    public void StoppedRunCheckpointsAtTheStepAndResumesToTheSameResults(string method, int atStep)
    {
        var full = new ExperimentRunner(RunnerTests.Tiny(method), new RunFolder(Path.Combine(_dir, "full")), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        var folder = new RunFolder(Path.Combine(_dir, "stopped"));
        using var stop = new CancellationTokenSource();
        var e = Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(RunnerTests.Tiny(method), folder, new SyntheticImageDomain(), new StopAt(stop, atStep)).Run(stop.Token));
        Assert.True(e.Checkpointed);
        Assert.Equal(atStep, e.Step);
        Assert.False(folder.IsFinished);
        Assert.False(folder.IsRunning);
        Assert.Equal(atStep, File.ReadAllLines(folder.MetricsPath).Length);

        var resumed = new ExperimentRunner(folder.ReadConfig(), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run();
        Assert.Equal(full.Matrix.SelectMany(r => r), resumed.Matrix.SelectMany(r => r));
        Assert.Equal(full.Probes.Select(p => p.Value), resumed.Probes.Select(p => p.Value));
        Assert.Equal(18, File.ReadAllLines(folder.MetricsPath).Length);
    }

    [Fact]
    public void StopBeforeTheFirstStepWritesNoCheckpoint()
    {
        var folder = new RunFolder(Path.Combine(_dir, "early"));
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var e = Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(RunnerTests.Tiny("finetune"), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run(stop.Token));
        Assert.False(e.Checkpointed);
        Assert.False(folder.HasCheckpoint);
    }

    [Fact]
    public void ARunFolderIsLockedWhileTrainedAndAFailureIsRecorded()
    {
        var folder = new RunFolder(Path.Combine(_dir, "locked"));
        Assert.False(folder.IsRunning);
        using (folder.MarkRunning())
        {
            Assert.True(folder.IsRunning);
            var refused = Assert.Throws<InvalidOperationException>(() => new ExperimentRunner(RunnerTests.Tiny("finetune"), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run());
            Assert.Contains("being trained by another process", refused.Message);
        }
        Assert.False(folder.IsRunning);

        var bad = RunnerTests.Tiny("finetune") with { Evaluation = RunnerTests.Tiny("finetune").Evaluation with { ProbeMetric = (NativeTrustRegion.Experiments.Configuration.ProbeMetricKind)99 } };
        Assert.ThrowsAny<ArgumentException>(() => new ExperimentRunner(bad, folder, new SyntheticImageDomain(), SilentProgress.Instance).Run());
        Assert.StartsWith("UsageException: probe metric 99 is not a probe metric", folder.ReadFailure());
        Assert.False(folder.IsRunning);
    }
}
