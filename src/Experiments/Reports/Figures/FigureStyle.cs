using ScottPlot;
using SkiaSharp;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>
/// The look shared by every figure: one sans-serif font (DejaVu Sans, from Debian's fonts-dejavu-core, read from
/// /usr/share/fonts by SkiaSharp without fontconfig; ScottPlot's default otherwise), sizes readable at the report's
/// width, and a colour per method that stays the same across figures.
/// </summary>
public static class FigureStyle
{
    private static readonly string[] PreferredFonts = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"];

    /// <summary>The first installed of the preferred sans-serif fonts, or ScottPlot's default font.</summary>
    public static string FontName { get; } =
        PreferredFonts.FirstOrDefault(name => SKFontManager.Default.MatchFamily(name) is not null) ?? Fonts.Default;

    private static readonly Color[] Palette =
        new[] { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22" }
            .Select(Color.FromHex).ToArray();

    public static Color SeriesColor(int index) => Palette[index % Palette.Length];

    /// <summary>Title, axis labels and font sizes; call after the plottables are added.</summary>
    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Font.Set(FontName);
        plot.Title(title, size: 17);
        plot.XLabel(xLabel, size: 15);
        plot.YLabel(yLabel, size: 15);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        plot.Legend.FontName = FontName;
    }
}
