using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Experiments.Metrics;
using static NativeTrustRegion.Experiments.Reports.ComparisonReport;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>The figures of a comparison report.</summary>
public static class ReportFigures
{
    /// <summary>Every figure of the report: each task's probe curve (Task 1's is Figure 2), then each method's metric triangle.</summary>
    public static IReadOnlyList<Figure> For(ComparisonReport report, IReadOnlyList<MethodSummary> summaries)
    {
        var figures = new List<Figure> { TaskOneFigure(report, summaries) };
        for (var task = 1; task < report.Tasks; task++)
        {
            var curves = summaries.Select(s => (MethodTable.DisplayName(s.Method), ProbeCurve.Average(report.Runs.Where(r => r.Method == s.Method).Select(r => r.Curve(task)).ToList()))).ToList();
            figures.Add(ProbeCurveFigure.Build(task, report.ProbeMetric, curves, report.Tasks, report.Runs[0].StepsPerTask));
        }
        var colourRange = MetricTriangleFigure.Range(summaries.Select(s => s.MeanMatrix).ToArray());
        figures.AddRange(summaries.Select(s => MetricTriangleFigure.Build(s.Method, MethodTable.DisplayName(s.Method), report.Metric, s.MeanMatrix, colourRange)));
        return figures;
    }

    /// <summary>Figure 2: the seed-averaged Task-1 probe curve of every method, task transitions dashed.</summary>
    public static Figure TaskOneFigure(ComparisonReport report, IReadOnlyList<MethodSummary> summaries) =>
        ProbeCurveFigure.Build(0, report.ProbeMetric, summaries.Select(s => (MethodTable.DisplayName(s.Method), s.TaskOneCurve)).ToList(), report.Tasks, report.Runs[0].StepsPerTask);
}
