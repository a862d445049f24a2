using System.Globalization;
using System.Text;
using NativeTrustRegion.Experiments.Reports.Figures;
using static NativeTrustRegion.Experiments.Reports.ComparisonReport;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>report.html: report.md rendered as HTML (headings, bullet lines, tables, bold, code) with every figure
/// embedded, and the runs' sample grids embedded as PNG.</summary>
public sealed class HtmlReportWriter(ComparisonReport report, IReadOnlyList<SampleGrid>? grids = null)
{
    private string Title => report.Title;

    private string Markdown(IReadOnlyList<MethodSummary> summaries) => new MarkdownReportWriter(report, grids).Markdown(summaries);

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
                if (grids?.FirstOrDefault(g => g.RelativePath == file) is { } grid)
                {
                    var alt = line[2..line.IndexOf("](", StringComparison.Ordinal)];
                    var png = Convert.ToBase64String(File.ReadAllBytes(grid.FullPath));
                    sb.AppendLine($"<figure><img src=\"data:image/png;base64,{png}\" style=\"max-width:100%;image-rendering:pixelated\" alt=\"{Escape(alt)}\"></figure>");
                    continue;
                }
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
}
