using NativeTrustRegion.Engine.Checkpoints;
using ScottPlot;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>A finished plot with its file name stem, caption and pixel size; written as &lt;stem&gt;.png and &lt;stem&gt;.svg.</summary>
public sealed record Figure(string FileStem, string Caption, Plot Plot, int Width, int Height)
{
    public string PngFile => FileStem + ".png";

    public string SvgFile => FileStem + ".svg";

    public byte[] Png() => Plot.GetImageBytes(Width, Height, ImageFormat.Png);

    public string Svg() => Plot.GetSvgXml(Width, Height);

    /// <summary>Writes both files atomically into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, PngFile), Png());
        AtomicFile.WriteAllText(Path.Combine(directory, SvgFile), Svg());
    }
}
