using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Results;
using static NativeTrustRegion.Experiments.Reports.ComparisonReport;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>summary.json: every method's Table 1 numbers, re-convergence steps, mean metric triangle and each task's metric right
/// after learning it (mean and worst seed, <see cref="JustLearned"/>), for scripts.</summary>
public sealed class SummaryJsonWriter(ComparisonReport report)
{
    private string Title => report.Title;

    private MetricDefinition Metric => report.Metric;

    private MetricDefinition ProbeMetric => report.ProbeMetric;

    private IReadOnlyList<RunResult> Runs => report.Runs;

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
                ["display_name"] = MethodTable.DisplayName(s.Method),
                ["seeds"] = s.Seeds,
                ["avg_metric"] = N(s.AverageMetric.Mean),
                ["avg_metric_se"] = N(s.AverageMetric.StandardError),
                ["avg_metric_reported"] = N(s.AverageMetric.Mean * Metric.ReportScale),
                ["avg_metric_se_reported"] = N(s.AverageMetric.StandardError * Metric.ReportScale),
                ["forgetting_reported"] = N(s.Forgetting.Mean * Metric.ReportScale),
                ["forgetting"] = N(s.Forgetting.Mean),
                ["forgetting_se"] = N(s.Forgetting.StandardError),
                ["forgetting_excluding_last"] = N(s.ForgettingExcludingLast.Mean),
                ["avg_secondary_metric"] = s.AverageSecondary is { } a ? N(a.Mean) : null,
                ["steps_to_reconverge"] = recon,
                ["metric_matrix"] = JsonSerializer.SerializeToNode(s.MeanMatrix),
                ["just_learned"] = new JsonArray(s.JustLearned.Select(d => (JsonNode)new JsonObject
                {
                    ["task"] = d.Task + 1,
                    ["seeds"] = d.Seeds,
                    ["metric_mean"] = N(d.Mean),
                    ["metric_worst"] = N(d.Worst),
                    ["metric_worst_seed"] = d.WorstSeed,
                    ["secondary_mean"] = d.SecondaryMean is { } m ? N(m) : null,
                    ["secondary_worst"] = d.SecondaryWorst is { } w ? N(w) : null,
                    ["secondary_worst_seed"] = d.SecondaryWorstSeed,
                }).ToArray()),
            };
        }
        var root = new JsonObject
        {
            ["title"] = Title,
            ["metric"] = new JsonObject
            {
                ["name"] = Metric.Name, ["lower_is_better"] = Metric.LowerIsBetter, ["description"] = Metric.Description,
                // avg_metric, forgetting and metric_matrix hold the raw values (fractions for success rates);
                // the *_reported fields are what report.md prints (percent / percentage points for success rates)
                ["raw_unit"] = Metric.Percent ? "fraction (0-1)" : "metric units",
                ["reported_unit"] = Metric.Percent ? "percent (forgetting: percentage points)" : "metric units",
            },
            ["probe_metric"] = new JsonObject { ["name"] = ProbeMetric.Name, ["lower_is_better"] = ProbeMetric.LowerIsBetter, ["description"] = ProbeMetric.Description },
            ["secondary_metric"] = Runs[0].SecondaryMetric is { } sec ? new JsonObject { ["name"] = sec.Name, ["lower_is_better"] = sec.LowerIsBetter } : null,
            ["tasks"] = new JsonArray(Runs[0].TaskNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["steps_per_task"] = Runs[0].StepsPerTask,
            ["wall_seconds"] = Runs.Sum(r => r.WallSeconds),
            ["probe_seconds"] = Runs.Sum(r => r.ProbeSeconds),
            ["forgetting_convention"] = "metric change from when a task was first learned to the end (positive = worse), averaged over all tasks including the last",
            ["methods"] = methods,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
