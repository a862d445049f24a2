namespace NativeTrustRegion.Data;

/// <summary>
/// A network-free <see cref="IFeatureExtractor"/>: features are the image average-pooled to a
/// cells×cells grid per channel (so D = C·cells²). No classifier head. Serves as a test double and as
/// a crude pixel-space Fréchet distance until the trained feature classifier exists; its values are
/// not comparable to Inception FIDs.
/// </summary>
public sealed class PixelFeatureExtractor : IFeatureExtractor
{
    private readonly int cells;

    public PixelFeatureExtractor(int channels, int height, int width, int cells = 4)
    {
        if (cells <= 0 || height % cells != 0 || width % cells != 0)
            throw new ArgumentException($"a {height}×{width} image cannot be pooled into {cells}×{cells} equal cells");
        Channels = channels;
        Height = height;
        Width = width;
        this.cells = cells;
    }

    public string Name => $"pixels-avgpool{cells}x{cells}";
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int FeatureDimension => Channels * cells * cells;
    public int ClassCount => 0;
    public int PreferredBatchSize => 256;

    public void Extract(ReadOnlySpan<float> images, int count, Span<float> features, Span<float> logits)
    {
        int imageSize = Channels * Height * Width;
        int cellH = Height / cells, cellW = Width / cells;
        float scale = 1f / (cellH * cellW);
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> image = images.Slice(n * imageSize, imageSize);
            Span<float> f = features.Slice(n * FeatureDimension, FeatureDimension);
            for (int c = 0; c < Channels; c++)
            {
                for (int cy = 0; cy < cells; cy++)
                {
                    for (int cx = 0; cx < cells; cx++)
                    {
                        float total = 0;
                        for (int y = cy * cellH; y < (cy + 1) * cellH; y++)
                            for (int x = cx * cellW; x < (cx + 1) * cellW; x++)
                                total += image[(c * Height + y) * Width + x];
                        f[(c * cells + cy) * cells + cx] = total * scale;
                    }
                }
            }
        }
    }
}
