using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The protocol details of the paper presets that change the tables: the FID re-convergence probe on ImageNet, the
/// per-class replay pool of the authors' code, unfiltered CW10 replay, the paper's seed counts, and success rates in
/// percent in the reports.
/// </summary>
public sealed class PaperProtocolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-protocol-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ImageNetPresetProbesFidWith2500SamplesAndSizesReplayPerClass()
    {
        var c = ExperimentPresets.ImageNetPaper("replay");
        Assert.Equal(ProbeMetricKind.TaskMetric, c.Evaluation.ProbeMetric);
        Assert.Equal(2_500, c.Evaluation.ProbeTaskMetricSamples);
        Assert.Equal(c.Evaluation.SamplesPerTask, c.Evaluation.ProbeTaskMetricSamples);
        Assert.Equal(1_300, c.Hyper.ReplayPoolPerClass);
        // 50 classes per task: 65,000 replay samples per finished task, as the authors' GenerativeReplay builds it
        Assert.All(c.TaskClasses, t => Assert.Equal(50, t.Length));
        Assert.Equal(65_000, c.Hyper.ReplaySamplesForTask(c.TaskClasses[0].Length, "T1"));
    }

    [Fact]
    public void PerTaskSizingStaysTheDefaultAndPerClassSizingRefusesTasksWithoutClasses()
    {
        var demo = ExperimentPresets.Demo("replay");
        Assert.Equal(0, demo.Hyper.ReplayPoolPerClass);
        Assert.Equal(128, demo.Hyper.ReplaySamplesForTask(2, "T1"));
        var perClass = demo.Hyper with { ReplayPoolPerClass = 7 };
        Assert.Equal(14, perClass.ReplaySamplesForTask(2, "T1"));
        var e = Assert.Throws<ArgumentException>(() => perClass.ReplaySamplesForTask(0, "hammer"));
        Assert.Contains("task 'hammer' has no classes", e.Message);
        Assert.Contains("replay_pool_per_task", e.Message);
    }

    [Fact]
    public void Cw10PaperReplaysAllTeacherRolloutsButTheFilterStaysAvailable()
    {
        Assert.False(ExperimentPresets.Cw10Paper("replay").Control.ReplaySuccessfulRolloutsOnly);
        Assert.True(new ControlSettings().ReplaySuccessfulRolloutsOnly);
        var filtered = ExperimentPresets.Cw10Paper("replay") with { Control = ExperimentPresets.Cw10Paper("replay").Control with { ReplaySuccessfulRolloutsOnly = true } };
        var back = ExperimentConfig.FromJson(filtered.ToJson(), "test");
        Assert.True(back.Control.ReplaySuccessfulRolloutsOnly);
    }

    [Theory]
    [InlineData("imagenet500-paper")]
    [InlineData("cw10-paper")]
    public void PaperConfigurationsSurviveTheJsonRoundTrip(string preset)
    {
        var config = ExperimentPresets.Create(preset, "trust-region", 124);
        var json = config.ToJson();
        Assert.Contains("\"replay_pool_per_class\"", json);
        Assert.Contains("\"replay_successful_rollouts_only\"", json);
        Assert.Contains("\"probe_task_metric_samples\"", json);
        var back = ExperimentConfig.FromJson(json, "test");
        Assert.Equal(config.Hyper, back.Hyper);
        Assert.Equal(config.Control with { }, back.Control);
        Assert.Equal(config.Evaluation.ProbeMetric, back.Evaluation.ProbeMetric);
        Assert.Equal(config.Evaluation.ProbeTaskMetricSamples, back.Evaluation.ProbeTaskMetricSamples);
        Assert.Equal(json, back.ToJson());
    }

    [Fact]
    public void ComparisonsRunThePapersSeedCountsUnlessSeedsAreGiven()
    {
        Assert.Equal(new ulong[] { 123, 124, 125 }, ComparisonPlan.SeedsFor("imagenet500-paper", null));
        Assert.Equal(new ulong[] { 123, 124, 125, 126 }, ComparisonPlan.SeedsFor("cw10-paper", null));
        Assert.Equal(new ulong[] { 123 }, ComparisonPlan.SeedsFor("demo", null));
        Assert.Equal(new ulong[] { 123 }, ComparisonPlan.SeedsFor("demo", []));
        Assert.Equal(new ulong[] { 9, 4 }, ComparisonPlan.SeedsFor("imagenet500-paper", [9, 4]));
        Assert.Contains("unknown preset 'imagenet-1000'; valid: demo", Assert.ThrowsAny<ArgumentException>(() => ComparisonPlan.SeedsFor("imagenet-1000", null)).Message);
    }

    private static RunResult SuccessRun(string method, int seed, double[][] matrix) => new()
    {
        Method = method,
        Seed = seed,
        Preset = "cw10-test",
        Metric = new MetricDefinition("success rate", MetricDirection.HigherIsBetter, "test") { Percent = true },
        ProbeMetric = new MetricDefinition("success rate", MetricDirection.HigherIsBetter, "test probe") { Percent = true },
        TaskNames = ["a", "b"],
        StepsPerTask = 4,
        Matrix = matrix.Select(r => r.Select(v => (double?)v).ToArray()).ToArray(),
        Probes = [new ProbeRecord(0, 4, 0, 4, matrix[0][0]), new ProbeRecord(0, 5, 1, 1, matrix[1][0])],
        WallSeconds = 100,
        ProbeSeconds = 25,
    };

    [Fact]
    public void ReportsPrintSuccessRatesInPercentAndKeepRawFractionsInTheSummary()
    {
        // seed 1: final tasks 0.9 and 0.8 → average 0.85, forgetting (1.0 − 0.9 + 0)/2 = 0.05
        // seed 2: final tasks 0.7 and 0.9 → average 0.80, forgetting (0.9 − 0.7 + 0)/2 = 0.10
        var runs = new List<RunResult>
        {
            SuccessRun("replay", 1, [[1.0], [0.9, 0.8]]),
            SuccessRun("replay", 2, [[0.9], [0.7, 0.9]]),
        };
        var report = new ComparisonReport(runs, "percent");
        report.Write(_dir);
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        // mean of 0.85 and 0.80 = 82.5%, standard error = |0.85 − 0.80|/2 = 2.5 points
        Assert.Contains("| Replay | 2 | 82.5% ± 2.5 | 7.5 ± 2.5 |", md);
        Assert.Contains("average success rate (%)", md);
        Assert.Contains("percentage points", md);
        // the metric triangle: mean over seeds of task a after task b = (0.9 + 0.7)/2
        Assert.Contains("| T2 | 80.0% | 85.0% |", md);
        Assert.Contains("re-convergence probes 50 s (25.0%)", md);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        var replay = json.RootElement.GetProperty("methods").GetProperty("replay");
        Assert.Equal(0.825, replay.GetProperty("avg_metric").GetDouble(), 12);
        Assert.Equal(82.5, replay.GetProperty("avg_metric_reported").GetDouble(), 10);
        Assert.Equal(7.5, replay.GetProperty("forgetting_reported").GetDouble(), 10);
        Assert.Equal("fraction (0-1)", json.RootElement.GetProperty("metric").GetProperty("raw_unit").GetString());
        Assert.Equal(50, json.RootElement.GetProperty("probe_seconds").GetDouble(), 12);
    }

    [Fact]
    public void ReportsShowEachMethodsFirstSeedSampleGridsAfterEveryTask()
    {
        // a comparison folder: replay seeds 2 and 1 (seed 1's grids are shown), ewc seed 3 with one grid missing
        var pngs = new Dictionary<string, byte[]>();
        foreach (var (run, tasks) in new[] { ("replay-seed1", new[] { 1, 2 }), ("replay-seed2", new[] { 1, 2 }), ("ewc-seed3", new[] { 1 }) })
        {
            Directory.CreateDirectory(Path.Combine(_dir, run, "samples"));
            foreach (var t in tasks)
            {
                var relative = $"{run}/samples/after-task-{t:00}.png";
                pngs[relative] = System.Text.Encoding.UTF8.GetBytes($"png bytes of {relative}");
                File.WriteAllBytes(Path.Combine(_dir, relative), pngs[relative]);
            }
        }
        var runs = new List<RunResult>
        {
            SuccessRun("replay", 2, [[1.0], [0.9, 0.8]]),
            SuccessRun("replay", 1, [[0.9], [0.7, 0.9]]),
            SuccessRun("ewc", 3, [[0.9], [0.7, 0.9]]),
        };
        new ComparisonReport(runs, "grids").Write(_dir);
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("![Replay after task 1](replay-seed1/samples/after-task-01.png)", md);
        Assert.Contains("![Replay after task 2](replay-seed1/samples/after-task-02.png)", md);
        Assert.DoesNotContain("replay-seed2/samples", md);
        Assert.Contains("![EWC (rank-1) after task 1](ewc-seed3/samples/after-task-01.png)", md);
        Assert.DoesNotContain("ewc-seed3/samples/after-task-02.png", md);
        var html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        foreach (var shown in new[] { "replay-seed1/samples/after-task-01.png", "replay-seed1/samples/after-task-02.png", "ewc-seed3/samples/after-task-01.png" })
        {
            Assert.Contains($"data:image/png;base64,{Convert.ToBase64String(pngs[shown])}", html);
        }
        Assert.DoesNotContain(Convert.ToBase64String(pngs["replay-seed2/samples/after-task-01.png"]), html);

        // one run's own folder (`ntr run`): its samples/ folder
        var single = Path.Combine(_dir, "single");
        Directory.CreateDirectory(Path.Combine(single, "samples"));
        File.WriteAllBytes(Path.Combine(single, "samples", "after-task-01.png"), [1, 2, 3]);
        new ComparisonReport([SuccessRun("replay", 7, [[1.0], [0.9, 0.8]])], "one run").Write(single);
        Assert.Contains("![Replay after task 1](samples/after-task-01.png)", File.ReadAllText(Path.Combine(single, "report.md")));
        Assert.Contains("data:image/png;base64,AQID", File.ReadAllText(Path.Combine(single, "report.html")));
    }

    [Fact]
    public void EachTasksValueRightAfterLearningItIsReportedWithItsWorstSeed()
    {
        // diagonals (FID, accuracy) — seed 4: T1 10 / 0.90, T2 4 / 1.00; seed 5: T1 30 / 0.60, T2 2 / 0.95;
        // seed 6: T1 20 / 0.75, T2 9 / 0.80 (the off-diagonal 99s and 0.1s must not count)
        RunResult Run(int seed, double t1, double t2, double a1, double a2) => SuccessRun("trust-region", seed, [[t1], [99, t2]]) with
        {
            Metric = new MetricDefinition("FID (test)", MetricDirection.LowerIsBetter, "test"),
            ProbeMetric = new MetricDefinition("FID (test)", MetricDirection.LowerIsBetter, "test"),
            SecondaryMetric = new MetricDefinition("sample accuracy", MetricDirection.HigherIsBetter, "test"),
            SecondaryMatrix = [[a1], [0.1, a2]],
        };
        var report = new ComparisonReport([Run(4, 10, 4, 0.90, 1.00), Run(5, 30, 2, 0.60, 0.95), Run(6, 20, 9, 0.75, 0.80)], "diagonal");
        report.Write(_dir);
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("## Each task right after learning it", md);
        Assert.Contains("Cells: FID (test) / sample accuracy; mean over seeds, the worst seed in brackets.", md);
        // T1: mean FID 20, worst 30 (seed 5); accuracy mean 0.75, worst 0.60 (seed 5). T2: 5, worst 9; 0.916…, worst 0.80
        Assert.Contains("| Trust Region | 20.00 (30.00) / 0.75 (0.60) | 5.00 (9.00) / 0.92 (0.80) |", md);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        var cells = json.RootElement.GetProperty("methods").GetProperty("trust-region").GetProperty("just_learned");
        Assert.Equal(2, cells.GetArrayLength());
        var t2 = cells[1];
        Assert.Equal(2, t2.GetProperty("task").GetInt32());
        Assert.Equal(3, t2.GetProperty("seeds").GetInt32());
        Assert.Equal(5.0, t2.GetProperty("metric_mean").GetDouble(), 12);
        Assert.Equal(9.0, t2.GetProperty("metric_worst").GetDouble());
        Assert.Equal(6, t2.GetProperty("metric_worst_seed").GetInt32());
        Assert.Equal(2.75 / 3, t2.GetProperty("secondary_mean").GetDouble(), 12);
        Assert.Equal(0.80, t2.GetProperty("secondary_worst").GetDouble());
        Assert.Equal(6, t2.GetProperty("secondary_worst_seed").GetInt32());
        Assert.Equal(5, cells[0].GetProperty("metric_worst_seed").GetInt32());
        Assert.Equal(5, cells[0].GetProperty("secondary_worst_seed").GetInt32());

        // one seed: no brackets, and a success-rate metric's worst is its lowest
        var one = new ComparisonReport([SuccessRun("replay", 1, [[0.9], [0.7, 0.8]])], "one");
        var oneMd = one.Markdown(one.Summaries());
        Assert.Contains("| Replay | 90.0% | 80.0% |", oneMd);
        var two = new ComparisonReport([SuccessRun("replay", 1, [[0.9], [0.7, 0.8]]), SuccessRun("replay", 2, [[0.5], [0.7, 0.6]])], "two");
        Assert.Contains("| Replay | 70.0% (50.0%) | 70.0% (60.0%) |", two.Markdown(two.Summaries()));
    }

    [Fact]
    public void FidLikeMetricsAreNotScaled()
    {
        var fid = SuccessRun("ewc", 1, [[20.0], [30.0, 22.0]]) with
        {
            Metric = new MetricDefinition("FID (test)", MetricDirection.LowerIsBetter, "test"),
            ProbeMetric = new MetricDefinition("FID (test)", MetricDirection.LowerIsBetter, "test"),
        };
        var report = new ComparisonReport([fid], "fid");
        var md = report.Markdown(report.Summaries());
        // average (30 + 22)/2 = 26, forgetting (30 − 20 + 0)/2 = 5
        Assert.Contains("| EWC (rank-1) | 1 | 26.00 (n=1) | 5.00 (n=1) |", md);
        Assert.DoesNotContain("%)", md.Split('\n').First(l => l.StartsWith("| Method", StringComparison.Ordinal)));
    }
}
