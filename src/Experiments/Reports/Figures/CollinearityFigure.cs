using System.Globalization;
using NativeTrustRegion.Experiments.Diagnostics;
using ScottPlot;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>The Fisher diagnostic of `ntr fisher`: how rank-1 the per-sample gradients are, per diffusion timestep.</summary>
public static class CollinearityFigure
{
    public const string FileStem = "collinearity";

    public static Figure Build(IReadOnlyList<CollinearityBucket> buckets, string title)
    {
        var fixedT = buckets.Where(b => b.Timestep != "random").ToList();
        var t = fixedT.Select(b => double.Parse(b.Timestep, CultureInfo.InvariantCulture)).ToArray();
        (string Name, double[] Values)[] series =
        [
            ("mean cos(g_i, mean g)", fixedT.Select(b => b.MeanCosine).ToArray()),
            ("top-eigenvalue share λ1/Σλ", fixedT.Select(b => b.TopEigenvalueShare).ToArray()),
            ("Frobenius share λ1²/Σλ²", fixedT.Select(b => b.TopEigenvalueSquaredShare).ToArray()),
        ];
        var plot = new Plot();
        for (var s = 0; s < series.Length; s++)
        {
            var line = plot.Add.Scatter(t, series[s].Values, FigureStyle.SeriesColor(s));
            line.LegendText = series[s].Name;
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        FigureStyle.Apply(plot, title, "diffusion timestep t", "cosine or eigenvalue share (0 to 1)");
        plot.ShowLegend(Edge.Right);
        return new Figure(FileStem, title, plot, 1000, 480);
    }
}
