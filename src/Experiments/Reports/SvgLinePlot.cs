using System.Globalization;
using System.Text;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>A self-contained SVG line chart: axes with ticks, one polyline per series, a legend, and dashed vertical
/// markers (task transitions). Pasteable into HTML or opened directly.</summary>
public sealed class SvgLinePlot
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
    private readonly List<(string Name, IReadOnlyList<(double X, double Y)> Points)> _series = new();
    private readonly List<double> _markers = new();

    public SvgLinePlot(string title, string xLabel, string yLabel)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public string Title { get; }

    public string XLabel { get; }

    public string YLabel { get; }

    public int Width { get; init; } = 760;

    public int Height { get; init; } = 420;

    public void AddSeries(string name, IReadOnlyList<(double X, double Y)> points) => _series.Add((name, points));

    public void AddMarker(double x) => _markers.Add(x);

    public string Render()
    {
        const int left = 70, right = 170, top = 40, bottom = 55;
        double plotW = Width - left - right, plotH = Height - top - bottom;
        var all = _series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToList();
        double xMin = all.Count > 0 ? all.Min(p => p.X) : 0, xMax = all.Count > 0 ? all.Max(p => p.X) : 1;
        double yMin = all.Count > 0 ? all.Min(p => p.Y) : 0, yMax = all.Count > 0 ? all.Max(p => p.Y) : 1;
        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }
        if (yMax <= yMin)
        {
            yMax = yMin + 1;
        }
        var pad = (yMax - yMin) * 0.05;
        yMin -= pad;
        yMax += pad;
        double Px(double x) => left + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + plotW / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(Title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#333\"/>\n");
        foreach (var (value, _) in Ticks(xMin, xMax, 6))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(value))}\" y1=\"{F(top + plotH)}\" x2=\"{F(Px(value))}\" y2=\"{F(top + plotH + 5)}\" stroke=\"#333\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(value))}\" y=\"{F(top + plotH + 18)}\" text-anchor=\"middle\">{FormatTick(value)}</text>\n");
        }
        foreach (var (value, _) in Ticks(yMin, yMax, 6))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left - 5}\" y1=\"{F(Py(value))}\" x2=\"{F(left + plotW)}\" y2=\"{F(Py(value))}\" stroke=\"#eee\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{F(Py(value) + 4)}\" text-anchor=\"end\">{FormatTick(value)}</text>\n");
        }
        foreach (var m in _markers)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(m))}\" y1=\"{top}\" x2=\"{F(Px(m))}\" y2=\"{F(top + plotH)}\" stroke=\"#999\" stroke-dasharray=\"5,4\"/>\n");
        }
        for (var i = 0; i < _series.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var pts = string.Join(" ", _series[i].Points.Where(p => double.IsFinite(p.Y)).Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" points=\"{pts}\"/>\n");
            var ly = top + 10 + i * 18;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(left + plotW + 12)}\" y1=\"{ly}\" x2=\"{F(left + plotW + 36)}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2.5\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + plotW + 42)}\" y=\"{ly + 4}\">{Escape(_series[i].Name)}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + plotW / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16,{F(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static IEnumerable<(double Value, int Index)> Ticks(double min, double max, int count)
    {
        var raw = (max - min) / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var start = Math.Ceiling(min / step) * step;
        var i = 0;
        for (var v = start; v <= max + step * 1e-9; v += step)
        {
            yield return (v, i++);
        }
    }

    private static string FormatTick(double v) =>
        Math.Abs(v) >= 10000 ? v.ToString("0.#e0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
