using System.Globalization;
using System.Text;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports.Figures;
using NativeTrustRegion.Experiments.Results;
using static NativeTrustRegion.Experiments.Reports.ComparisonReport;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>report.md: the method overview, Table 1, Table 2 with the per-task appendix tables, the figures (as links
/// to their PNG files) and each method's metric triangle as a table.</summary>
/// <param name="grids">the runs' sample grids, shown after the metric triangles (none: no section)</param>
public sealed class MarkdownReportWriter(ComparisonReport report, IReadOnlyList<SampleGrid>? grids = null)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private string Title => report.Title;

    private MetricDefinition Metric => report.Metric;

    private MetricDefinition ProbeMetric => report.ProbeMetric;

    private IReadOnlyList<RunResult> Runs => report.Runs;

    private int Tasks => report.Tasks;

    private static string Cell(int? v) => v.HasValue ? v.Value.ToString(Inv) : "—";

    private string Number(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) < 1 ? "0.0000" : "0.00", Inv) : "—";

    /// <summary>A per-task metric value as reported: success rates in percent with one decimal (the paper's "88.3%").</summary>
    public string MetricValue(double v) => !Metric.Percent ? Number(v) : double.IsFinite(v) ? (v * 100).ToString("0.0", Inv) + "%" : "—";

    /// <summary>Table 1's average metric: "88.3% ± 0.4" for success rates, "12.34 ± 0.56" otherwise.</summary>
    public string AverageCell(SeedStatistics s) => Metric.Percent ? s.Scaled(100).Format("0.0", "%") : s.Format();

    /// <summary>Table 1's forgetting: percentage points for success rates ("4.4 ± 0.9"), metric units otherwise.</summary>
    public string ForgettingCell(SeedStatistics s) => Metric.Percent ? s.Scaled(100).Format("0.0") : s.Format();

    private string TimingLine()
    {
        var wall = Runs.Sum(r => r.WallSeconds);
        var probe = Runs.Sum(r => r.ProbeSeconds);
        return string.Create(Inv, $"- Time: {wall:0} s of training and evaluation over {Runs.Count} run(s), of which re-convergence probes {probe:0} s ({(wall > 0 ? 100 * probe / wall : 0):0.0}%).");
    }

    /// <summary>
    /// Each task's metric right after learning it (the triangle's diagonal), mean over seeds with the worst seed in
    /// brackets when there are several, and the secondary metric beside it: whether every task was learned at all.
    /// </summary>
    private void AppendJustLearned(StringBuilder sb, IReadOnlyList<MethodSummary> summaries, MetricDefinition? secondary)
    {
        var several = summaries.Max(s => s.Seeds) > 1;
        sb.AppendLine("## Each task right after learning it (the diagonal of the metric triangle)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Cells: {Metric.Name}{(secondary is null ? "" : $" / {secondary.Name}")}{(several ? "; mean over seeds, the worst seed in brackets" : "")}.");
        sb.AppendLine();
        sb.Append("| Method |");
        sb.AppendLine(string.Concat(Enumerable.Range(1, Tasks).Select(t => $" T{t} |")));
        sb.Append("|---|");
        sb.AppendLine(string.Concat(Enumerable.Repeat("---|", Tasks)));
        foreach (var s in summaries)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {MethodTable.DisplayName(s.Method)} |");
            for (var j = 0; j < Tasks; j++)
            {
                var d = s.JustLearned.FirstOrDefault(x => x.Task == j);
                var cell = d is null ? "—" : WithWorst(MetricValue(d.Mean), MetricValue(d.Worst), d.Seeds);
                if (secondary is not null && d?.SecondaryMean is { } m)
                {
                    cell += " / " + WithWorst(m.ToString("0.00", Inv), d.SecondaryWorst!.Value.ToString("0.00", Inv), d.Seeds);
                }
                sb.Append(CultureInfo.InvariantCulture, $" {cell} |");
            }
            sb.AppendLine();
        }
        sb.AppendLine();
    }

    private static string WithWorst(string mean, string worst, int seeds) => seeds > 1 ? $"{mean} ({worst})" : mean;

    public string Markdown(IReadOnlyList<MethodSummary> summaries)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# {Title}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Metric: **{Metric.Name}** ({(Metric.LowerIsBetter ? "lower" : "higher")} is better). {Metric.Description}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Re-convergence probe: **{ProbeMetric.Name}** ({(ProbeMetric.LowerIsBetter ? "lower" : "higher")} is better). {ProbeMetric.Description}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Tasks: {string.Join(", ", Runs[0].TaskNames)}; {Runs[0].StepsPerTask} gradient updates per task; preset `{Runs[0].Preset}`.");
        sb.AppendLine(TimingLine());
        sb.AppendLine("- Forgetting: change of a task's metric from when it was first learned to the end of training (positive = worse), averaged over all tasks including the last (the TRCL authors' convention); the column in brackets excludes the last task." +
            (Metric.Percent ? " Success rates are in percent, forgetting in percentage points." : ""));
        sb.AppendLine();
        sb.AppendLine("## Table 1. Final performance and forgetting (mean ± standard error over seeds)");
        sb.AppendLine();
        var secondary = summaries.Any(s => s.AverageSecondary is not null) ? Runs[0].SecondaryMetric : null;
        sb.Append(CultureInfo.InvariantCulture, $"| Method | seeds | average {Metric.Name}{(Metric.Percent ? " (%)" : "")} | forgetting | (excl. last) |");
        sb.AppendLine(secondary is null ? "" : $" average {secondary.Name} |");
        sb.Append("|---|---|---|---|---|");
        sb.AppendLine(secondary is null ? "" : "---|");
        foreach (var s in summaries)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {MethodTable.DisplayName(s.Method)} | {s.Seeds} | {AverageCell(s.AverageMetric)} | {ForgettingCell(s.Forgetting)} | {ForgettingCell(s.ForgettingExcludingLast)} |");
            sb.AppendLine(secondary is null ? "" : $" {s.AverageSecondary?.Format("0.000") ?? "—"} |");
        }
        sb.AppendLine();
        AppendJustLearned(sb, summaries, secondary);
        for (var j = 0; j < Tasks - 1; j++)
        {
            sb.AppendLine(j == 0
                ? "## Table 2. Steps to re-converge Task 1 (gradient updates after each transition; — = never within that task)"
                : $"### Appendix: steps to re-converge Task {j + 1}");
            sb.AppendLine();
            var first = summaries[0].Reconvergence[j];
            sb.Append("| Method |");
            foreach (var t in first.Thresholds)
            {
                foreach (var later in first.LaterTasks)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" {t} T{later + 1} |");
                }
            }
            sb.AppendLine();
            sb.Append("|---|");
            sb.AppendLine(string.Concat(Enumerable.Repeat("---|", first.Thresholds.Length * first.LaterTasks.Length)));
            foreach (var s in summaries)
            {
                var table = s.Reconvergence[j];
                sb.Append(CultureInfo.InvariantCulture, $"| {MethodTable.DisplayName(s.Method)} |");
                foreach (var row in table.Cells)
                {
                    foreach (var c in row)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $" {Cell(c)} |");
                    }
                }
                sb.AppendLine();
            }
            sb.AppendLine();
        }
        sb.AppendLine("## Figure 2. Task 1 during continual training");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"![Task 1 probe curve]({ProbeCurveFigure.FileStem(0)}.png)");
        sb.AppendLine();
        if (Tasks > 1)
        {
            sb.AppendLine("### Appendix: every later task's probe curve");
            for (var task = 1; task < Tasks; task++)
            {
                sb.AppendLine();
                sb.AppendLine(CultureInfo.InvariantCulture, $"![Task {task + 1} probe curve]({ProbeCurveFigure.FileStem(task)}.png)");
            }
            sb.AppendLine();
        }
        sb.AppendLine("## Per-method metric triangles (row: after task i; column: task j; mean over seeds)");
        foreach (var s in summaries)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"**{MethodTable.DisplayName(s.Method)}**");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"![{MethodTable.DisplayName(s.Method)} metric triangle]({MetricTriangleFigure.FileStem(s.Method)}.png)");
            sb.AppendLine();
            sb.Append("| after \\ task |");
            for (var j = 0; j < Tasks; j++)
            {
                sb.Append(CultureInfo.InvariantCulture, $" T{j + 1} |");
            }
            sb.AppendLine();
            sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", Tasks)));
            for (var i = 0; i < Tasks; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| T{i + 1} |");
                for (var j = 0; j < Tasks; j++)
                {
                    sb.Append(j <= i && s.MeanMatrix[i][j].HasValue ? $" {MetricValue(s.MeanMatrix[i][j]!.Value)} |" : " |");
                }
                sb.AppendLine();
            }
        }
        if (grids is { Count: > 0 })
        {
            sb.AppendLine();
            sb.AppendLine("## Samples after each task (one row per class of the tasks seen so far; each method's first seed)");
            foreach (var method in grids.Select(g => g.Method).Distinct())
            {
                var own = grids.Where(g => g.Method == method).ToList();
                sb.AppendLine();
                sb.AppendLine(CultureInfo.InvariantCulture, $"**{MethodTable.DisplayName(method)}** (seed {own[0].Seed})");
                foreach (var g in own)
                {
                    sb.AppendLine();
                    sb.AppendLine(CultureInfo.InvariantCulture, $"![{MethodTable.DisplayName(method)} after task {g.AfterTask}]({g.RelativePath})");
                }
            }
        }
        var notes = Runs.Where(r => !string.IsNullOrWhiteSpace(r.Notes)).Select(r => r.Notes!).Distinct().ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Notes");
            foreach (var n in notes)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
            }
        }
        return sb.ToString();
    }
}
