using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

public sealed class RunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static ExperimentConfig Tiny(string method) => ExperimentPresets.Demo(method, seed: 5) with
    {
        TaskClasses = [[0, 1], [2, 3], [4, 5]],
        StepsPerTask = 6,
        CheckpointEvery = 4,
        Hyper = ExperimentPresets.Demo(method).Hyper with { BatchSize = 8, FisherSamples = 4, ReplayPoolPerTask = 8, ReplayDdimSteps = 3, ReplayGenerationBatch = 8 },
        Evaluation = new EvaluationSettings { SamplesPerTask = 8, DdimSteps = 3, ProbeSamplesPerTask = 4, ProbeTimesteps = [100, 500, 900], ProbeDenseSteps = 3, ProbeGrowth = 1.5 },
    };

    public static IEnumerable<object[]> AllMethods() => MethodTable.All.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void EveryMethodRunsAShortStreamWithFiniteResults(string method)
    {
        var folder = new RunFolder(Path.Combine(_dir, method));
        var result = new ExperimentRunner(Tiny(method), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run();
        Assert.Equal(3, result.Matrix.Length);
        Assert.All(result.Matrix.SelectMany(r => r), v => Assert.True(v is double d && double.IsFinite(d)));
        Assert.True(File.Exists(folder.ResultsPath));
        Assert.True(File.Exists(folder.TaskCheckpoint(2)));
        Assert.Equal(18, File.ReadAllLines(folder.MetricsPath).Length);
        Assert.All(result.Probes, p => Assert.True(double.IsFinite(p.Value)));
    }

    [Theory]
    [InlineData("trust-region")]
    [InlineData("vrmcl")]
    [InlineData("la-maml")]
    public void KilledAndResumedRunEqualsUninterruptedRun(string method)
    {
        var full = new ExperimentRunner(Tiny(method), new RunFolder(Path.Combine(_dir, "full")), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        var folder = new RunFolder(Path.Combine(_dir, "killed"));
        // killed mid-task 2 (after step 10; the last checkpoint is at step 8, mid-task)
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(Tiny(method), folder, new SyntheticImageDomain(), SilentProgress.Instance) { StopAfterSteps = 10 }.Run());
        Assert.True(folder.HasCheckpoint);
        var resumed = new ExperimentRunner(folder.ReadConfig(), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run();
        Assert.Equal(full.Matrix.SelectMany(r => r), resumed.Matrix.SelectMany(r => r));
        Assert.Equal(full.Probes.Select(p => p.Value), resumed.Probes.Select(p => p.Value));
        Assert.Equal(18, File.ReadAllLines(folder.MetricsPath).Length);
    }

    [Fact]
    public void ResumingWithAnotherFeatureNetworkIsRefusedAndReportsDoNotMixMetrics()
    {
        var folder = new RunFolder(Path.Combine(_dir, "switched"));
        // task 1 is evaluated at step 6; killed after step 10
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(Tiny("finetune"), folder, new SyntheticImageDomain("FID (ntr-classifier-x)"), SilentProgress.Instance) { StopAfterSteps = 10 }.Run());
        var e = Assert.Throws<InvalidOperationException>(() =>
            new ExperimentRunner(folder.ReadConfig(), folder, new SyntheticImageDomain("FID (Inception-v3)"), SilentProgress.Instance).Run());
        Assert.Contains("evaluated with 'FID (ntr-classifier-x)' but resuming it would evaluate with 'FID (Inception-v3)'", e.Message);
        Assert.Contains("NTR_INCEPTION_WEIGHTS", e.Message);

        var finished = new ExperimentRunner(folder.ReadConfig(), folder, new SyntheticImageDomain("FID (ntr-classifier-x)"), SilentProgress.Instance).Run();
        var other = finished with { Seed = 6, Metric = new Metrics.MetricDefinition("FID (Inception-v3)", Metrics.MetricDirection.LowerIsBetter, "test") };
        var mixed = Assert.Throws<ArgumentException>(() => new ComparisonReport([finished, other], "mixed"));
        Assert.Contains("different metrics ('FID (ntr-classifier-x)', 'FID (Inception-v3)')", mixed.Message);
    }

    [Fact]
    public void TaskMetricProbeRecordsTheEvaluatorsValues()
    {
        var config = Tiny("finetune") with { Evaluation = Tiny("finetune").Evaluation with { ProbeMetric = ProbeMetricKind.TaskMetric, ProbeTaskMetricSamples = 3 } };
        var result = new ExperimentRunner(config, new RunFolder(Path.Combine(_dir, "probe")), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        Assert.Equal(result.Metric.Name, result.ProbeMetric.Name);
        Assert.Contains("3 samples per point", result.ProbeMetric.Description);
        // the synthetic evaluator's probe equals its evaluation at the end of a task
        var last = result.Probes.Where(p => p.Task == 0 && p.TrainingTask == 0).OrderBy(p => p.Step).Last();
        Assert.Equal(result.Matrix[0][0]!.Value, last.Value, 12);
        // probe cost is recorded: a probe_seconds field on exactly the steps that probed, summed into the result
        var lines = File.ReadAllLines(Path.Combine(_dir, "probe", "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var probed = lines.Where(l => l.TryGetProperty("probe_seconds", out _)).Select(l => l.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(result.Probes.Select(p => p.Step).Distinct().OrderBy(s => s), probed);
        Assert.Equal(lines.Where(l => l.TryGetProperty("probe_seconds", out _)).Sum(l => l.GetProperty("probe_seconds").GetDouble()), result.ProbeSeconds, 2);
        Assert.InRange(result.ProbeSeconds, 0, result.WallSeconds);
    }

    [Fact]
    public void EachTaskEndsWithTheLearningRateDecayAndTheOptimizerUsesIt()
    {
        var constant = Tiny("finetune") with { Hyper = Tiny("finetune").Hyper with { LearningRate = 3e-3, LearningRateDecayFraction = 0 } };
        // 6 updates per task, fraction 0.5: updates 5 and 6 of every task at 2/3 and 1/3 of the rate
        var decayed = constant with { Hyper = constant.Hyper with { LearningRateDecayFraction = 0.5 } };
        new ExperimentRunner(constant, new RunFolder(Path.Combine(_dir, "constant")), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        new ExperimentRunner(decayed, new RunFolder(Path.Combine(_dir, "decayed")), new SyntheticImageDomain(), SilentProgress.Instance).Run();
        List<System.Text.Json.JsonElement> Lines(string run) =>
            File.ReadAllLines(Path.Combine(_dir, run, "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var c = Lines("constant");
        var d = Lines("decayed");
        Assert.All(c, l => Assert.False(l.TryGetProperty("learning_rate", out _)));
        double[] perTask = [3e-3, 3e-3, 3e-3, 3e-3, 3e-3 * 2 / 3, 3e-3 * 1 / 3];
        Assert.Equal(perTask.Concat(perTask).Concat(perTask), d.Select(l => l.GetProperty("learning_rate").GetDouble()));
        // the loss of update k is computed before it: the first five losses agree, the sixth follows a smaller step
        Assert.Equal(c.Take(5).Select(l => l.GetProperty("loss").GetDouble()), d.Take(5).Select(l => l.GetProperty("loss").GetDouble()));
        Assert.NotEqual(c[5].GetProperty("loss").GetDouble(), d[5].GetProperty("loss").GetDouble());
    }

    [Fact]
    public void ComparisonReportIsWellFormed()
    {
        var runs = new List<RunResult>();
        foreach (var method in new[] { "finetune", "trust-region" })
        {
            foreach (var seed in new ulong[] { 1, 2 })
            {
                var config = Tiny(method) with { Seed = seed };
                runs.Add(new ExperimentRunner(config, new RunFolder(Path.Combine(_dir, $"{method}-{seed}")), new SyntheticImageDomain(), SilentProgress.Instance).Run());
            }
        }
        var report = new ComparisonReport(runs, "test report");
        var outDir = Path.Combine(_dir, "report");
        report.Write(outDir);
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## Table 1.", md);
        Assert.Contains("| Trust Region | 2 |", md);
        Assert.Contains("## Table 2.", md);
        Assert.Contains("+10% T2", md);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        // one figure per task's probe curve (Task 1: Figure 2) and one metric triangle per method, each PNG + SVG, embedded
        string[] figures = ["figure-task1", "figure-task2", "figure-task3", "figure-triangle-finetune", "figure-triangle-trust-region"];
        Assert.All(figures, f => Assert.True(File.Exists(Path.Combine(outDir, f + ".png")) && File.Exists(Path.Combine(outDir, f + ".svg")), f));
        Assert.Equal(figures.Length, html.Split("<img src=\"data:image/svg+xml;base64,").Length - 1);
        Assert.Contains("![Task 1 probe curve](figure-task1.png)", md);
        Assert.Contains("<table>", html);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var tr = json.RootElement.GetProperty("methods").GetProperty("trust-region");
        Assert.True(double.IsFinite(tr.GetProperty("avg_metric").GetDouble()));
        Assert.True(double.IsFinite(tr.GetProperty("forgetting").GetDouble()));
        Assert.Equal(2, tr.GetProperty("steps_to_reconverge").GetArrayLength());
        Assert.Equal("probe loss", json.RootElement.GetProperty("metric").GetProperty("name").GetString());
    }
}
