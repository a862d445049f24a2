using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports.Figures;
using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>
/// Aggregates runs (methods × seeds) into the paper's outputs: Table 1 (average final metric and forgetting, mean ±
/// standard error over seeds), Table 2 (steps for Task 1 to re-converge after each transition, from the seed-averaged
/// probe curve) with the per-task tables of Appendix D, and Figure 2 (the Task-1 probe curve with task transitions
/// marked), every later task's probe curve and each method's metric triangle as a heat map. Writes report.md,
/// report.html (figures embedded), each figure as PNG and SVG (<see cref="Figures"/>) and summary.json.
/// </summary>
public sealed class ComparisonReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

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
        SeedStatistics? AverageSecondary, IReadOnlyList<ReconvergenceTable> Reconvergence, double?[][] MeanMatrix, ProbeCurve TaskOneCurve);

    public static string DisplayName(string method) => method switch
    {
        "finetune" => "Finetuning",
        "ewc" => "EWC (rank-1)",
        "ewc-diag" => "EWC (diagonal)",
        "replay" => "Replay",
        "trust-region" => "Trust Region",
        "ftml" => "FTML",
        "vrmcl" => "VRMCL",
        "mer" => "MER",
        "la-maml" => "La-MAML",
        "c-maml" => "C-MAML",
        "a-gem" => "A-GEM",
        "joint" => "Joint (upper bound)",
        _ => method,
    };

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
        return new MethodSummary(method, runs.Count, avg, forgetting, forgettingEx, secondary, tables, mean, taskOne);
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
        AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), Markdown(summaries));
        AtomicFile.WriteAllText(Path.Combine(directory, "report.html"), Html(summaries, figures));
        AtomicFile.WriteAllText(Path.Combine(directory, "summary.json"), SummaryJson(summaries));
    }

    /// <summary>Every figure of the report: each task's probe curve (Task 1's is Figure 2), then each method's metric triangle.</summary>
    public IReadOnlyList<Figure> Figures(IReadOnlyList<MethodSummary> summaries)
    {
        var figures = new List<Figure> { TaskOneFigure(summaries) };
        for (var task = 1; task < Tasks; task++)
        {
            var curves = summaries.Select(s => (DisplayName(s.Method), ProbeCurve.Average(Runs.Where(r => r.Method == s.Method).Select(r => r.Curve(task)).ToList()))).ToList();
            figures.Add(ProbeCurveFigure.Build(task, ProbeMetric, curves, Tasks, Runs[0].StepsPerTask));
        }
        var colourRange = MetricTriangleFigure.Range(summaries.Select(s => s.MeanMatrix).ToArray());
        figures.AddRange(summaries.Select(s => MetricTriangleFigure.Build(s.Method, DisplayName(s.Method), Metric, s.MeanMatrix, colourRange)));
        return figures;
    }

    /// <summary>Figure 2: the seed-averaged Task-1 probe curve of every method, task transitions dashed.</summary>
    public Figure TaskOneFigure(IReadOnlyList<MethodSummary> summaries) =>
        ProbeCurveFigure.Build(0, ProbeMetric, summaries.Select(s => (DisplayName(s.Method), s.TaskOneCurve)).ToList(), Tasks, Runs[0].StepsPerTask);

    private static string Cell(int? v) => v.HasValue ? v.Value.ToString(Inv) : "—";

    private string Number(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) < 1 ? "0.0000" : "0.00", Inv) : "—";

    public string Markdown(IReadOnlyList<MethodSummary> summaries)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# {Title}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Metric: **{Metric.Name}** ({(Metric.LowerIsBetter ? "lower" : "higher")} is better). {Metric.Description}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Re-convergence probe: **{ProbeMetric.Name}** ({(ProbeMetric.LowerIsBetter ? "lower" : "higher")} is better). {ProbeMetric.Description}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Tasks: {string.Join(", ", Runs[0].TaskNames)}; {Runs[0].StepsPerTask} gradient updates per task; preset `{Runs[0].Preset}`.");
        sb.AppendLine("- Forgetting: change of a task's metric from when it was first learned to the end of training (positive = worse), averaged over all tasks including the last (the TRCL authors' convention); the column in brackets excludes the last task.");
        sb.AppendLine();
        sb.AppendLine("## Table 1. Final performance and forgetting (mean ± standard error over seeds)");
        sb.AppendLine();
        var secondary = summaries.Any(s => s.AverageSecondary is not null) ? Runs[0].SecondaryMetric : null;
        sb.Append(CultureInfo.InvariantCulture, $"| Method | seeds | average {Metric.Name} | forgetting | (excl. last) |");
        sb.AppendLine(secondary is null ? "" : $" average {secondary.Name} |");
        sb.Append("|---|---|---|---|---|");
        sb.AppendLine(secondary is null ? "" : "---|");
        foreach (var s in summaries)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {DisplayName(s.Method)} | {s.Seeds} | {s.AverageMetric.Format()} | {s.Forgetting.Format()} | {s.ForgettingExcludingLast.Format()} |");
            sb.AppendLine(secondary is null ? "" : $" {s.AverageSecondary?.Format("0.000") ?? "—"} |");
        }
        sb.AppendLine();
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
                sb.Append(CultureInfo.InvariantCulture, $"| {DisplayName(s.Method)} |");
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
            sb.AppendLine(CultureInfo.InvariantCulture, $"**{DisplayName(s.Method)}**");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"![{DisplayName(s.Method)} metric triangle]({MetricTriangleFigure.FileStem(s.Method)}.png)");
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
                    sb.Append(j <= i && s.MeanMatrix[i][j].HasValue ? $" {Number(s.MeanMatrix[i][j]!.Value)} |" : " |");
                }
                sb.AppendLine();
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

    /// <summary>report.md as one self-contained HTML page; each figure is embedded as its SVG (a data URI, so the
    /// figures' element ids cannot clash).</summary>
    public string Html(IReadOnlyList<MethodSummary> summaries, IReadOnlyList<Figure> figures)
    {
        var md = Markdown(summaries);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + Escape(Title) + "</title>");
        sb.AppendLine("<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}td:first-child,th:first-child{text-align:left}h1{font-size:22px}h2{font-size:18px;margin-top:1.6em}h3{font-size:15px}</style></head><body>");
        var inTable = false;
        var header = false;
        foreach (var raw in md.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                if (cells.All(c => c.All(ch => ch == '-')))
                {
                    continue;
                }
                if (!inTable)
                {
                    sb.AppendLine("<table>");
                    inTable = true;
                    header = true;
                }
                var tag = header ? "th" : "td";
                sb.AppendLine("<tr>" + string.Concat(cells.Select(c => $"<{tag}>{Inline(c)}</{tag}>")) + "</tr>");
                header = false;
                continue;
            }
            if (inTable)
            {
                sb.AppendLine("</table>");
                inTable = false;
            }
            if (line.StartsWith("![", StringComparison.Ordinal))
            {
                var file = line[(line.IndexOf("](", StringComparison.Ordinal) + 2)..^1];
                var figure = figures.FirstOrDefault(f => f.PngFile == file)
                    ?? throw new InvalidOperationException($"report.md shows {file} but no figure writes it");
                var svg = Convert.ToBase64String(Encoding.UTF8.GetBytes(figure.Svg()));
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"<figure><img src=\"data:image/svg+xml;base64,{svg}\" width=\"{figure.Width}\" height=\"{figure.Height}\" style=\"max-width:100%;height:auto\" alt=\"{Escape(figure.Caption)}\"><figcaption>{Escape(figure.Caption)}</figcaption></figure>");
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                sb.AppendLine("<h3>" + Inline(line[4..]) + "</h3>");
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                sb.AppendLine("<h2>" + Inline(line[3..]) + "</h2>");
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                sb.AppendLine("<h1>" + Inline(line[2..]) + "</h1>");
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                sb.AppendLine("<p>• " + Inline(line[2..]) + "</p>");
            }
            else if (line.Length > 0)
            {
                sb.AppendLine("<p>" + Inline(line) + "</p>");
            }
        }
        if (inTable)
        {
            sb.AppendLine("</table>");
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Inline(string s)
    {
        var e = Escape(s);
        e = System.Text.RegularExpressions.Regex.Replace(e, @"\*\*(.+?)\*\*", "<b>$1</b>");
        return System.Text.RegularExpressions.Regex.Replace(e, "`(.+?)`", "<code>$1</code>");
    }

    public string SummaryJson(IReadOnlyList<MethodSummary> summaries)
    {
        static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        var methods = new JsonObject();
        foreach (var s in summaries)
        {
            var recon = new JsonArray();
            foreach (var t in s.Reconvergence)
            {
                recon.Add(new JsonObject
                {
                    ["task"] = t.Task + 1,
                    ["thresholds"] = new JsonArray(t.Thresholds.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
                    ["after_tasks"] = new JsonArray(t.LaterTasks.Select(x => (JsonNode)JsonValue.Create(x + 1)!).ToArray()),
                    ["steps"] = new JsonArray(t.Cells.Select(row => (JsonNode)new JsonArray(row.Select(c => c.HasValue ? (JsonNode)JsonValue.Create(c.Value)! : null).ToArray())).ToArray()),
                });
            }
            methods[s.Method] = new JsonObject
            {
                ["display_name"] = DisplayName(s.Method),
                ["seeds"] = s.Seeds,
                ["avg_metric"] = N(s.AverageMetric.Mean),
                ["avg_metric_se"] = N(s.AverageMetric.StandardError),
                ["forgetting"] = N(s.Forgetting.Mean),
                ["forgetting_se"] = N(s.Forgetting.StandardError),
                ["forgetting_excluding_last"] = N(s.ForgettingExcludingLast.Mean),
                ["avg_secondary_metric"] = s.AverageSecondary is { } a ? N(a.Mean) : null,
                ["steps_to_reconverge"] = recon,
                ["metric_matrix"] = JsonSerializer.SerializeToNode(s.MeanMatrix),
            };
        }
        var root = new JsonObject
        {
            ["title"] = Title,
            ["metric"] = new JsonObject { ["name"] = Metric.Name, ["lower_is_better"] = Metric.LowerIsBetter, ["description"] = Metric.Description },
            ["probe_metric"] = new JsonObject { ["name"] = ProbeMetric.Name, ["lower_is_better"] = ProbeMetric.LowerIsBetter, ["description"] = ProbeMetric.Description },
            ["secondary_metric"] = Runs[0].SecondaryMetric is { } sec ? new JsonObject { ["name"] = sec.Name, ["lower_is_better"] = sec.LowerIsBetter } : null,
            ["tasks"] = new JsonArray(Runs[0].TaskNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["steps_per_task"] = Runs[0].StepsPerTask,
            ["forgetting_convention"] = "metric change from when a task was first learned to the end (positive = worse), averaged over all tasks including the last",
            ["methods"] = methods,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
