using NativeTrustRegion.Data;
using SkiaSharp;

namespace NativeTrustRegion.Experiments.Reports.Figures;

/// <summary>
/// A grid of generated samples with one row per class, the class name written left of each row and a heading above:
/// the grid itself comes from <see cref="PngGrid"/>, enlarged with nearest-neighbour sampling so 28–32 px images stay
/// sharp, and the text is drawn with SkiaSharp in <see cref="FigureStyle.FontName"/>.
/// </summary>
public static class LabelledSampleGrid
{
    private const int Padding = 1;
    private const float FontSize = 15;

    /// <param name="images">rows × columns images, row by row, pixel values in [−1, 1]</param>
    /// <param name="rowLabels">one label per row of the grid</param>
    /// <returns>the PNG file's bytes</returns>
    public static byte[] Encode(ReadOnlySpan<float> images, IReadOnlyList<string> rowLabels, int columns, int channels, int height, int width, string heading)
    {
        if (rowLabels.Count == 0)
        {
            throw new ArgumentException("a labelled sample grid needs at least one row");
        }
        var gridPng = PngGrid.Encode(images, rowLabels.Count * columns, channels, height, width, columns, PixelValueRange.MinusOneToOne, Padding, out _, out _);
        using var grid = SKBitmap.Decode(gridPng);
        var scale = Math.Max(1, (int)Math.Ceiling(56.0 / height));
        using var typeface = SKTypeface.FromFamilyName(FigureStyle.FontName) ?? SKTypeface.Default;
        using var font = new SKFont(typeface, FontSize);
        using var headingFont = new SKFont(typeface, FontSize + 2);
        var labelWidth = (int)Math.Ceiling(rowLabels.Max(l => font.MeasureText(l))) + 16;
        var headingHeight = (int)Math.Ceiling(FontSize * 2.2);
        var gridWidth = grid.Width * scale;
        var gridHeight = grid.Height * scale;
        var totalWidth = Math.Max(labelWidth + gridWidth, (int)Math.Ceiling(headingFont.MeasureText(heading)) + 16);
        using var surface = SKSurface.Create(new SKImageInfo(totalWidth, headingHeight + gridHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(heading, 8, FontSize * 1.5f, SKTextAlign.Left, headingFont, ink);
        using var image = SKImage.FromBitmap(grid);
        canvas.DrawImage(image, SKRect.Create(labelWidth, headingHeight, gridWidth, gridHeight), new SKSamplingOptions(SKFilterMode.Nearest), null);
        var rowHeight = (height + Padding) * scale;
        for (var r = 0; r < rowLabels.Count; r++)
        {
            var middle = headingHeight + Padding * scale + r * rowHeight + height * scale / 2f;
            canvas.DrawText(rowLabels[r], labelWidth - 8, middle + FontSize * 0.35f, SKTextAlign.Right, font, ink);
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
