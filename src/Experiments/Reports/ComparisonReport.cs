using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports.Figures;
using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>
/// Aggregates runs (methods × seeds) into the paper's outputs: Table 1 (average final metric and forgetting, mean ±
/// standard error over seeds), Table 2 (steps for Task 1 to re-converge after each transition, from the seed-averaged
/// probe curve) with the per-task tables of Appendix D, and Figure 2 (the Task-1 probe curve with task transitions
/// marked), every later task's probe curve and each method's metric triangle as a heat map. This class holds the
/// numbers (<see cref="Summarise"/>); <see cref="Write"/> hands them to the writers of report.md
/// (<see cref="MarkdownReportWriter"/>), report.html (<see cref="HtmlReportWriter"/>), summary.json
/// (<see cref="SummaryJsonWriter"/>) and the figures, each as PNG and SVG (<see cref="ReportFigures"/>).
/// </summary>
public sealed class ComparisonReport
{
    public ComparisonReport(IReadOnlyList<RunResult> runs, string title)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("a report needs at least one finished run");
        }
        if (runs.Select(r => r.Metric.Name).Distinct().Skip(1).Any())
        {
            throw new ArgumentException(
                $"the runs were evaluated with different metrics ({string.Join(", ", runs.Select(r => $"'{r.Metric.Name}'").Distinct())}), e.g. FID on Inception-v3 and on the trained classifier. " +
                "Fix: report them separately, or re-run them with the same feature network");
        }
        Runs = runs;
        Title = title;
        Metric = runs[0].Metric;
        ProbeMetric = runs[0].ProbeMetric;
        Tasks = runs[0].TaskNames.Length;
        Methods = runs.Select(r => r.Method).Distinct().ToList();
    }

    public IReadOnlyList<RunResult> Runs { get; }

    public string Title { get; }

    public MetricDefinition Metric { get; }

    public MetricDefinition ProbeMetric { get; }

    public int Tasks { get; }

    public IReadOnlyList<string> Methods { get; }

    public sealed record MethodSummary(
        string Method, int Seeds, SeedStatistics AverageMetric, SeedStatistics Forgetting, SeedStatistics ForgettingExcludingLast,
        SeedStatistics? AverageSecondary, IReadOnlyList<ReconvergenceTable> Reconvergence, double?[][] MeanMatrix, ProbeCurve TaskOneCurve,
        IReadOnlyList<JustLearned> JustLearned);

    public MethodSummary Summarise(string method)
    {
        var runs = Runs.Where(r => r.Method == method).ToList();
        var last = Tasks - 1;
        var matrices = runs.Select(r => r.MetricMatrix()).ToList();
        var complete = matrices.Where(m => m.LastCompleteRow == last).ToList();
        var avg = SeedStatistics.Of(complete.Select(m => m.AverageAfter(last)).ToList());
        var forgetting = SeedStatistics.Of(complete.Select(m => m.AverageForgetting(last, includeLast: true)).ToList());
        var forgettingEx = SeedStatistics.Of(complete.Select(m => m.AverageForgetting(last, includeLast: false)).ToList());
        SeedStatistics? secondary = null;
        if (runs.All(r => r.SecondaryMatrix is not null && r.SecondaryMetric is not null))
        {
            var sm = runs.Select(r => TaskMetricMatrix.FromJagged(r.SecondaryMatrix!, r.SecondaryMetric!)).Where(m => m.LastCompleteRow == last).ToList();
            secondary = SeedStatistics.Of(sm.Select(m => m.AverageAfter(last)).ToList());
        }
        var tables = new List<ReconvergenceTable>();
        ProbeCurve? taskOne = null;
        for (var j = 0; j < Tasks - 1; j++)
        {
            var curve = ProbeCurve.Average(runs.Select(r => r.Curve(j)).ToList());
            taskOne ??= curve;
            tables.Add(Reconvergence.Table(curve, ProbeMetric, Tasks));
        }
        taskOne ??= ProbeCurve.Average(runs.Select(r => r.Curve(0)).ToList());
        var mean = new double?[Tasks][];
        for (var i = 0; i < Tasks; i++)
        {
            mean[i] = new double?[i + 1];
            for (var j = 0; j <= i; j++)
            {
                var values = matrices.Select(m => m[i, j]).Where(v => v.HasValue).Select(v => v!.Value).ToList();
                mean[i][j] = values.Count > 0 ? values.Average() : null;
            }
        }
        var perRun = runs.Select(r => (r.Seed, r.Matrix, r.SecondaryMetric is null ? null : r.SecondaryMatrix)).ToList();
        var justLearned = Enumerable.Range(0, Tasks).Select(j => JustLearned.Of(j, perRun, Metric, runs[0].SecondaryMetric)).OfType<JustLearned>().ToList();
        return new MethodSummary(method, runs.Count, avg, forgetting, forgettingEx, secondary, tables, mean, taskOne, justLearned);
    }

    public IReadOnlyList<MethodSummary> Summaries() => Methods.Select(Summarise).ToList();

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var summaries = Summaries();
        var figures = Figures(summaries);
        foreach (var figure in figures)
        {
            figure.Write(directory);
        }
        var grids = SampleGridIndex.Find(directory, Runs);
        AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), new MarkdownReportWriter(this, grids).Markdown(summaries));
        AtomicFile.WriteAllText(Path.Combine(directory, "report.html"), new HtmlReportWriter(this, grids).Html(summaries, figures));
        AtomicFile.WriteAllText(Path.Combine(directory, "summary.json"), SummaryJson(summaries));
    }

    /// <summary>Every figure of the report: each task's probe curve (Task 1's is Figure 2), then each method's metric triangle.</summary>
    public IReadOnlyList<Figure> Figures(IReadOnlyList<MethodSummary> summaries) => ReportFigures.For(this, summaries);

    public string Markdown(IReadOnlyList<MethodSummary> summaries) => new MarkdownReportWriter(this).Markdown(summaries);

    public string Html(IReadOnlyList<MethodSummary> summaries, IReadOnlyList<Figure> figures) => new HtmlReportWriter(this).Html(summaries, figures);

    public string SummaryJson(IReadOnlyList<MethodSummary> summaries) => new SummaryJsonWriter(this).SummaryJson(summaries);

    /// <summary>Table 1's average metric as printed (percent for success rates).</summary>
    public string AverageCell(SeedStatistics s) => new MarkdownReportWriter(this).AverageCell(s);

    /// <summary>Table 1's forgetting as printed (percentage points for success rates).</summary>
    public string ForgettingCell(SeedStatistics s) => new MarkdownReportWriter(this).ForgettingCell(s);

    /// <summary>A per-task metric value as printed (percent for success rates).</summary>
    public string MetricValue(double v) => new MarkdownReportWriter(this).MetricValue(v);
}
