using System.Globalization;
using NativeTrustRegion.Experiments.Metrics;
using ScottPlot;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>
/// One method's metric triangle as a heat map: row "after T<i>" (top: after the first task), column "T<j>", the value
/// (mean over seeds) printed in each cell, a colour bar named after the metric. Cells not measured stay blank.
/// </summary>
public static class MetricTriangleFigure
{
    public static string FileStem(string method) => $"figure-triangle-{method}";

    /// <param name="matrix">Matrix[i][j]: metric of task j after task i (j ≤ i), null when not measured</param>
    /// <param name="colourRange">the values at the two ends of the colour bar (one range for every method of a report,
    /// so equal colours mean equal values); null: this matrix's own range</param>
    public static Figure Build(string method, string displayName, MetricDefinition metric, double?[][] matrix, (double Low, double High)? colourRange = null)
    {
        var tasks = matrix.Length;
        var values = new double[tasks, tasks];
        for (var i = 0; i < tasks; i++)
        {
            for (var j = 0; j < tasks; j++)
            {
                values[i, j] = j < matrix[i].Length && matrix[i][j] is { } v && double.IsFinite(v) ? v : double.NaN;
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        // dark = better: the colour map runs from good to bad whichever way the metric points
        heatmap.Colormap = metric.LowerIsBetter ? new ScottPlot.Colormaps.Viridis() : new ScottPlot.Colormaps.Viridis().Reversed();
        heatmap.NaNCellColor = Colors.Transparent;
        // one rectangle per cell: crisp in the SVG too (a bitmap there is smoothed by browsers)
        heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles();
        var (low, high) = colourRange ?? Range(matrix);
        if (high > low)
        {
            heatmap.ManualRange = new ScottPlot.Range(low, high);
        }
        for (var i = 0; i < tasks; i++)
        {
            for (var j = 0; j <= i && j < tasks; j++)
            {
                if (!double.IsFinite(values[i, j]))
                {
                    continue;
                }
                // the heat map draws row 0 at the top: row i sits at y = tasks − 1 − i
                var label = plot.Add.Text(Format(values[i, j]), j, tasks - 1 - i);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = tasks <= 6 ? 14 : 11;
                label.LabelFontName = FigureStyle.FontName;
                label.LabelFontColor = Brightness(values[i, j], low, high, metric.LowerIsBetter) < 0.55 ? Colors.White : Colors.Black;
            }
        }
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = $"{metric.Name} ({(metric.LowerIsBetter ? "lower" : "higher")} is better)";
        colorBar.LabelStyle.FontSize = 14;
        colorBar.LabelStyle.Bold = false;
        var positions = Enumerable.Range(0, tasks).Select(k => (double)k).ToArray();
        plot.Axes.Bottom.SetTicks(positions, positions.Select(k => $"T{k + 1}").ToArray());
        plot.Axes.Left.SetTicks(positions, positions.Select(k => $"after T{tasks - k}").ToArray());
        plot.Grid.IsVisible = false;
        FigureStyle.Apply(plot, displayName, "task measured", "");
        plot.Axes.SetLimits(-0.5, tasks - 0.5, -0.5, tasks - 0.5);
        colorBar.LabelStyle.FontName = FigureStyle.FontName;
        colorBar.Axis.TickLabelStyle.FontName = FigureStyle.FontName;
        colorBar.Axis.TickLabelStyle.FontSize = 13;
        colorBar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.5 };
        var side = Math.Clamp(110 + 60 * tasks, 420, 760);
        return new Figure(FileStem(method), $"{displayName}: {metric.Name} of task j (column) after training task i (row), mean over seeds", plot, side + 170, side);
    }

    /// <summary>Smallest and largest finite value of the matrices (0, 1 when there is none).</summary>
    public static (double Low, double High) Range(params double?[][][] matrices)
    {
        var finite = matrices.SelectMany(m => m).SelectMany(row => row).Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToList();
        return finite.Count > 0 ? (finite.Min(), finite.Max()) : (0.0, 1.0);
    }

    private static string Format(double v) => v.ToString(Math.Abs(v) < 1 ? "0.000" : Math.Abs(v) < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    /// <summary>Approximate brightness of the Viridis colour drawn for <paramref name="v"/> (0 dark … 1 light).</summary>
    private static double Brightness(double v, double low, double high, bool lowerIsBetter)
    {
        var fraction = high > low ? (v - low) / (high - low) : 0.5;
        return lowerIsBetter ? fraction : 1 - fraction;
    }
}
