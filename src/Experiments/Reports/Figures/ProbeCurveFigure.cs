using NativeTrustRegion.Experiments.Metrics;
using ScottPlot;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>
/// One task's probe curve over the whole run, one line per method (seed-averaged), task transitions as dashed
/// vertical lines labelled with the task that starts there. For Task 1 this is the paper's Figure 2.
/// </summary>
public static class ProbeCurveFigure
{
    public static string FileStem(int task) => $"figure-task{task + 1}";

    /// <param name="task">0-based task whose curve is drawn</param>
    /// <param name="curves">method display name → that method's seed-averaged curve of <paramref name="task"/></param>
    public static Figure Build(int task, MetricDefinition probeMetric, IReadOnlyList<(string Method, ProbeCurve Curve)> curves, int tasks, int stepsPerTask)
    {
        var plot = new Plot();
        for (var m = 0; m < curves.Count; m++)
        {
            var points = curves[m].Curve.Points.Where(p => double.IsFinite(p.Value)).ToList();
            var line = plot.Add.ScatterLine(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Value * probeMetric.ReportScale).ToArray(), FigureStyle.SeriesColor(m));
            line.LegendText = curves[m].Method;
            line.LineWidth = 2;
        }
        for (var t = Math.Max(1, task + 1); t < tasks; t++)
        {
            var transition = plot.Add.VerticalLine((double)t * stepsPerTask, 1, Colors.Gray);
            transition.LinePattern = LinePattern.Dashed;
            transition.LabelText = $"T{t + 1}";
            transition.LabelOppositeAxis = true;
            transition.LabelFontSize = 13;
            transition.LabelFontName = FigureStyle.FontName;
            transition.LabelBold = false;
            transition.LabelFontColor = Colors.DimGray;
            transition.LabelBackgroundColor = Colors.Transparent;
        }
        var direction = probeMetric.LowerIsBetter ? "lower is better" : "higher is better";
        var title = task == 0
            ? $"Figure 2. Task 1 {probeMetric.Name} during continual training"
            : $"Task {task + 1} {probeMetric.Name} during continual training";
        FigureStyle.Apply(plot, title, "gradient update steps (dashed lines: the next task starts)", $"{probeMetric.Name}{(probeMetric.Percent ? " (%)" : "")} ({direction})");
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        // room between the title and the transition labels drawn above the data area
        plot.Axes.Top.MinimumSize = 30;
        var caption = task == 0
            ? $"Figure 2. Task 1 {probeMetric.Name} during continual training (mean over seeds; dashed lines: task transitions)"
            : $"Task {task + 1} {probeMetric.Name} from its own training to the end of the run (mean over seeds)";
        return new Figure(FileStem(task), caption, plot, 1000, 480);
    }
}
