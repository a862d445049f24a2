using System.Globalization;
using System.Xml.Linq;
using NativeTrustRegion.Experiments.Diagnostics;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports.Figures;
using ScottPlot;
using SkiaSharp;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>The report figures are written as valid PNG and SVG files with one line per series, a legend entry per
/// method and the values in the heat map's cells (no pixel comparisons).</summary>
public sealed class FigureTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly MetricDefinition Loss = new("probe loss", MetricDirection.LowerIsBetter, "test");
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-figures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ProbeCurve Curve(int task, double offset, int tasks, int stepsPerTask)
    {
        var curve = new ProbeCurve(task);
        for (var t = task; t < tasks; t++)
        {
            for (var s = 1; s <= stepsPerTask; s += 3)
            {
                curve.Add(new ProbePoint((long)t * stepsPerTask + s, t, s, offset + 1.0 / s));
            }
        }
        return curve;
    }

    /// <summary>Checks the PNG signature and decodes it; returns its size.</summary>
    private static (int Width, int Height) ReadPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes.Take(8).ToArray());
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }

    private static List<string> SvgTexts(string path)
    {
        var svg = XDocument.Load(path);
        Assert.Equal(Svg + "svg", svg.Root!.Name);
        return svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
    }

    [Fact]
    public void ProbeCurveFigureHasOneLinePerMethodAndDashedTransitions()
    {
        var curves = new List<(string, ProbeCurve)> { ("Finetuning", Curve(0, 0, 4, 20)), ("Trust Region", Curve(0, 0.5, 4, 20)), ("EWC (rank-1)", Curve(0, 1, 4, 20)) };
        var figure = ProbeCurveFigure.Build(0, Loss, curves, tasks: 4, stepsPerTask: 20);
        figure.Write(_dir);

        var lines = figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(curves[1].Item2.Points.Select(p => p.Value), lines[1].Data.GetScatterPoints().Select(p => p.Y));
        var transitions = figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>().ToList();
        Assert.Equal(new[] { 20.0, 40, 60 }, transitions.Select(t => t.X));
        Assert.All(transitions, t => Assert.Equal(LinePattern.Dashed, t.LinePattern));

        Assert.Equal("figure-task1", figure.FileStem);
        Assert.Equal((1000, 480), ReadPng(Path.Combine(_dir, "figure-task1.png")));
        var texts = SvgTexts(Path.Combine(_dir, "figure-task1.svg"));
        foreach (var name in new[] { "Finetuning", "Trust Region", "EWC (rank-1)", "T2", "T3", "T4" })
        {
            Assert.Single(texts, name);
        }
        Assert.Contains("Figure 2. Task 1 probe loss during continual training", texts);
        Assert.Contains("probe loss (lower is better)", texts);
    }

    [Fact]
    public void LaterTaskCurveShowsOnlyTheTransitionsAfterItsTask()
    {
        var figure = ProbeCurveFigure.Build(2, Loss, [("Replay", Curve(2, 0, 5, 10))], tasks: 5, stepsPerTask: 10);
        Assert.Equal("figure-task3", figure.FileStem);
        Assert.Equal(new[] { 30.0, 40 }, figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>().Select(t => t.X));
        Assert.Single(figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>());
    }

    [Fact]
    public void MetricTriangleFigurePrintsEveryMeasuredCell()
    {
        double?[][] matrix = [[10.0], [12.5, 9.0], [14.0, null, 8.25]];
        var figure = MetricTriangleFigure.Build("trust-region", "Trust Region", Loss, matrix, (5.0, 20.0));
        figure.Write(_dir);

        var heatmap = Assert.Single(figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.Heatmap>());
        Assert.Equal(14.0, heatmap.Intensities[2, 0]);
        Assert.True(double.IsNaN(heatmap.Intensities[0, 1]), "cells above the diagonal stay empty");
        Assert.True(double.IsNaN(heatmap.Intensities[2, 1]), "a cell not measured stays empty");
        Assert.Equal(5.0, heatmap.ManualRange!.Value.Min);
        Assert.Equal(20.0, heatmap.ManualRange!.Value.Max);

        ReadPng(Path.Combine(_dir, "figure-triangle-trust-region.png"));
        var texts = SvgTexts(Path.Combine(_dir, "figure-triangle-trust-region.svg"));
        foreach (var cell in new[] { "10.0", "12.5", "9.0", "14.0", "8.3" })
        {
            Assert.Contains(cell, texts);
        }
        Assert.Contains("after T1", texts);
        Assert.Contains("T3", texts);
    }

    [Fact]
    public void SharedColourRangeSpansEveryMethodsMatrix()
    {
        double?[][] a = [[3.0], [4.0, null]];
        double?[][] b = [[-1.5], [7.25, double.NaN]];
        Assert.Equal((-1.5, 7.25), MetricTriangleFigure.Range(a, b));
        double?[][] empty = [[null]];
        Assert.Equal((0.0, 1.0), MetricTriangleFigure.Range(empty));
    }

    [Fact]
    public void CollinearityFigureHasItsThreeSeries()
    {
        var buckets = new[] { 0, 500, 999 }
            .Select(t => new CollinearityBucket(t.ToString(CultureInfo.InvariantCulture), 0.5, 0.5, 0.1, 0.6, 0.8))
            .Append(new CollinearityBucket("random", 0.4, 0.4, 0.1, 0.5, 0.7)).ToList();
        var figure = CollinearityFigure.Build(buckets, "rank-1 diagnosis");
        figure.Write(_dir);
        var lines = figure.Plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(new[] { 0.0, 500, 999 }, l.Data.GetScatterPoints().Select(p => p.X)));
        Assert.Equal((1000, 480), ReadPng(Path.Combine(_dir, "collinearity.png")));
        Assert.Contains("λ1/Σλ", string.Join("|", SvgTexts(Path.Combine(_dir, "collinearity.svg"))));
    }

    [Fact]
    public void LabelledSampleGridPlacesTheImagesBesideTheirLabels()
    {
        // two rows of three 8×8 grey images: row 0 white (+1), row 1 black (−1)
        const int side = 8, columns = 3;
        var images = new float[2 * columns * side * side];
        images.AsSpan(0, columns * side * side).Fill(1f);
        images.AsSpan(columns * side * side).Fill(-1f);
        var png = LabelledSampleGrid.Encode(images, ["T1  disc", "T2  ring"], columns, 1, side, side, "Samples after task 2");
        var path = Path.Combine(_dir, "grid.png");
        File.WriteAllBytes(path, png);
        ReadPng(path);
        using var bitmap = SKBitmap.Decode(png);

        // 8 px images are drawn 7× larger (at least 56 px): the grid is 1 + 3·(8 + 1) = 28 px wide before scaling
        const int scale = 7;
        Assert.True(bitmap.Width > 28 * scale, $"{bitmap.Width} px leaves no room for the labels");
        var gridLeft = bitmap.Width - 28 * scale;
        var gridTop = bitmap.Height - (1 + 2 * (side + 1)) * scale;
        Assert.True(gridTop > 0, "a heading above the grid");
        var firstRow = bitmap.GetPixel(gridLeft + (1 + side / 2) * scale, gridTop + (1 + side / 2) * scale);
        var secondRow = bitmap.GetPixel(gridLeft + (1 + side / 2) * scale, gridTop + (2 + side + side / 2) * scale);
        Assert.Equal(SKColors.White, firstRow.WithAlpha(255));
        Assert.Equal(SKColors.Black, secondRow.WithAlpha(255));

        // the labels are drawn: dark pixels left of the grid, in the rows' height
        var inked = 0;
        for (var y = gridTop; y < bitmap.Height; y++)
        {
            for (var x = 0; x < gridLeft; x++)
            {
                inked += bitmap.GetPixel(x, y).Red < 128 ? 1 : 0;
            }
        }
        Assert.True(inked > 50, $"only {inked} dark pixels where the class names should be");
    }
}
