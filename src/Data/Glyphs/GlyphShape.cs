namespace NativeTrustRegion.Data;

/// <summary>The ten classes of the embedded data set, chosen to stay distinguishable at 16×16 pixels
/// under the allowed variation (rotation is limited to ±15°, so Plus/DiagonalCross and
/// HorizontalBars/VerticalBars never turn into each other).</summary>
public enum GlyphShape
{
    Disc = 0,
    Ring = 1,
    SquareOutline = 2,
    FilledTriangle = 3,
    Plus = 4,
    DiagonalCross = 5,
    HorizontalBars = 6,
    VerticalBars = 7,
    DiagonalLine = 8,
    DotGrid = 9,
}
