namespace NativeTrustRegion.Data;

/// <summary>Settings of the embedded (generated, download-free) glyph data set.</summary>
public sealed record EmbeddedGlyphOptions
{
    /// <summary>Generator seed; the same seed gives bit-identical images.</summary>
    public ulong Seed { get; init; } = 20240601;

    public int TrainPerClass { get; init; } = 1000;
    public int HeldOutPerClass { get; init; } = 200;

    /// <summary>Image side in pixels (square, grayscale). Shape sizes scale with it.</summary>
    public int Size { get; init; } = 16;

    /// <summary>Sub-samples per pixel side for anti-aliasing (s×s points per pixel).</summary>
    public int Supersample { get; init; } = 4;

    /// <summary>Standard deviation of the per-pixel Gaussian noise, on the [0, 1] intensity scale.</summary>
    public double NoiseStd { get; init; } = 0.03;

    /// <summary>Largest rotation in degrees (either way). Keep ≤ 20 so Plus/X and the two bar classes stay apart.</summary>
    public double MaxRotationDegrees { get; init; } = 15;
}
