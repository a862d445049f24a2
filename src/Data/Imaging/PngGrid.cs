using NativeTrustRegion.Engine.Checkpoints;
namespace NativeTrustRegion.Data;

/// <summary>
/// Writes a batch of channel-planar images (N×C×H×W floats) as one PNG grid, row by row with
/// <c>columns</c> images per row and <c>padding</c> black pixels between and around them.
/// Values are clamped to the range before conversion to bytes, so out-of-range samples saturate.
/// The file is written atomically (temporary file, then rename).
/// </summary>
public static class PngGrid
{
    public static void Write(string path, ReadOnlySpan<float> images, int n, int channels, int h, int w, int columns,
        PixelValueRange range = PixelValueRange.MinusOneToOne, int padding = 1)
    {
        byte[] png = Encode(images, n, channels, h, w, columns, range, padding, out _, out _);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>A grid of the first <paramref name="maxImages"/> images of a data set (or of the given indices).</summary>
    public static void Write(string path, ImageDataset dataset, int columns, ReadOnlySpan<int> indices = default, int maxImages = 100, int padding = 1)
    {
        int[] chosen = indices.IsEmpty ? Enumerable.Range(0, Math.Min(maxImages, dataset.Count)).ToArray() : indices.ToArray();
        var buffer = new float[(long)chosen.Length * dataset.ImageSize];
        for (int i = 0; i < chosen.Length; i++) dataset.CopyImage(chosen[i], buffer.AsSpan(i * dataset.ImageSize, dataset.ImageSize));
        Write(path, buffer, chosen.Length, dataset.Channels, dataset.Height, dataset.Width, columns, PixelValueRange.MinusOneToOne, padding);
    }

    /// <summary>PNG file bytes of the grid; also returns the grid's pixel size.</summary>
    public static byte[] Encode(ReadOnlySpan<float> images, int n, int channels, int h, int w, int columns,
        PixelValueRange range, int padding, out int gridWidth, out int gridHeight)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "need at least one image");
        if (channels != 1 && channels != 3) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 or 3 channels");
        if (h <= 0 || w <= 0) throw new ArgumentException($"image size {h}×{w} must be positive");
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "must be positive");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "must be ≥ 0");
        int imageSize = channels * h * w;
        if (images.Length < (long)n * imageSize)
            throw new ArgumentException($"{images.Length} values do not hold {n} images of {channels}×{h}×{w}");

        int cols = Math.Min(columns, n);
        int rows = (n + cols - 1) / cols;
        gridWidth = padding + cols * (w + padding);
        gridHeight = padding + rows * (h + padding);
        var pixels = new byte[(long)gridWidth * gridHeight * channels];
        for (int k = 0; k < n; k++)
        {
            int originX = padding + k % cols * (w + padding);
            int originY = padding + k / cols * (h + padding);
            ReadOnlySpan<float> image = images.Slice(k * imageSize, imageSize);
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < h; y++)
                {
                    int source = (c * h + y) * w;
                    long target = ((long)(originY + y) * gridWidth + originX) * channels + c;
                    for (int x = 0; x < w; x++)
                        pixels[target + (long)x * channels] = ToByte(image[source + x], range);
                }
            }
        }
        using var stream = new MemoryStream();
        PngEncoder.Encode(stream, pixels, gridWidth, gridHeight, channels);
        return stream.ToArray();
    }

    /// <summary>Float pixel → byte with clamping (NaN → 0).</summary>
    public static byte ToByte(float value, PixelValueRange range)
    {
        double scaled = range == PixelValueRange.MinusOneToOne ? (value + 1.0) * 127.5 : value * 255.0;
        if (double.IsNaN(scaled)) return 0;
        return (byte)Math.Clamp(Math.Round(scaled, MidpointRounding.AwayFromZero), 0, 255);
    }
}
