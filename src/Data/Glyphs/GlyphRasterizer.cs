namespace NativeTrustRegion.Data;

/// <summary>
/// Renders a <see cref="GlyphShape"/> with anti-aliasing by supersampling: every pixel is the fraction
/// of its s×s sub-sample points that fall inside the shape, times the intensity.
/// </summary>
public static class GlyphRasterizer
{
    private static readonly double InverseSqrt2 = 1.0 / Math.Sqrt(2.0);
    private static readonly double Sin60 = Math.Sqrt(3.0) / 2.0;

    /// <summary>Draws into <paramref name="image"/> (height·width values in [0, 1], row-major); overwrites it.</summary>
    public static void Render(GlyphShape shape, in GlyphParameters p, int height, int width, int supersample, Span<float> image)
    {
        if (supersample < 1) throw new ArgumentOutOfRangeException(nameof(supersample), supersample, "must be ≥ 1");
        if (image.Length < height * width) throw new ArgumentException($"image holds {image.Length} values, needs {height * width}");
        double cos = Math.Cos(p.Rotation), sin = Math.Sin(p.Rotation);
        double step = 1.0 / supersample;
        double weight = p.Intensity / (supersample * supersample);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int inside = 0;
                for (int sy = 0; sy < supersample; sy++)
                {
                    double dy = y + (sy + 0.5) * step - p.CenterY;
                    for (int sx = 0; sx < supersample; sx++)
                    {
                        double dx = x + (sx + 0.5) * step - p.CenterX;
                        // Into glyph coordinates: undo the rotation.
                        double u = cos * dx + sin * dy;
                        double v = -sin * dx + cos * dy;
                        if (Contains(shape, u, v, p.Radius, p.Stroke)) inside++;
                    }
                }
                image[y * width + x] = (float)(inside * weight);
            }
        }
    }

    /// <summary>Whether glyph-local point (u, v) lies inside the shape of half extent r and stroke w.</summary>
    public static bool Contains(GlyphShape shape, double u, double v, double r, double w)
    {
        double half = w * 0.5;
        switch (shape)
        {
            case GlyphShape.Disc:
            {
                double radius = r * 0.8;
                return u * u + v * v <= radius * radius;
            }
            case GlyphShape.Ring:
                return Math.Abs(Math.Sqrt(u * u + v * v) - (r - half)) <= half;
            case GlyphShape.SquareOutline:
                return Math.Abs(Math.Max(Math.Abs(u), Math.Abs(v)) - (r * 0.85 - half)) <= half;
            case GlyphShape.FilledTriangle:
                return InsideUpwardTriangle(u, v - r * 0.12, r * 1.2); // larger and centred: similar ink to the other classes
            case GlyphShape.Plus:
                return InsidePlus(u, v, r, half);
            case GlyphShape.DiagonalCross:
                return InsidePlus((u + v) * InverseSqrt2, (v - u) * InverseSqrt2, r, half);
            case GlyphShape.HorizontalBars:
                return InsideBars(along: u, across: v, r, w);
            case GlyphShape.VerticalBars:
                return InsideBars(along: v, across: u, r, w);
            case GlyphShape.DiagonalLine:
            {
                double along = (u + v) * InverseSqrt2;
                double across = (v - u) * InverseSqrt2;
                return Math.Abs(across) <= half && Math.Abs(along) <= r * 1.15;
            }
            case GlyphShape.DotGrid:
            {
                double spacing = r * 0.75;
                double dotRadius = Math.Min(half + 0.25, spacing * 0.38);
                double du = u - spacing * Math.Round(u / spacing);
                double dv = v - spacing * Math.Round(v / spacing);
                bool withinGrid = Math.Abs(u) <= spacing * 1.5 && Math.Abs(v) <= spacing * 1.5;
                return withinGrid && du * du + dv * dv <= dotRadius * dotRadius;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown glyph shape");
        }
    }

    private static bool InsidePlus(double u, double v, double r, double half) =>
        (Math.Abs(u) <= half && Math.Abs(v) <= r) || (Math.Abs(v) <= half && Math.Abs(u) <= r);

    private static bool InsideBars(double along, double across, double r, double w)
    {
        // Three parallel bars; the stroke is capped so that the gaps stay at least ~45% of the spacing.
        double spacing = r * 0.75;
        double half = Math.Min(w, spacing * 0.55) * 0.5;
        if (Math.Abs(along) > r) return false;
        double offset = across - spacing * Math.Clamp(Math.Round(across / spacing), -1, 1);
        return Math.Abs(offset) <= half;
    }

    private static bool InsideUpwardTriangle(double u, double v, double r)
    {
        // Equilateral triangle with apex (0, −r) (up on screen) and base vertices (±r·sin60, r/2).
        double ax = 0, ay = -r;
        double bx = r * Sin60, by = r * 0.5;
        double cx = -r * Sin60, cy = r * 0.5;
        double e0 = (bx - ax) * (v - ay) - (by - ay) * (u - ax);
        double e1 = (cx - bx) * (v - by) - (cy - by) * (u - bx);
        double e2 = (ax - cx) * (v - cy) - (ay - cy) * (u - cx);
        return (e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0);
    }
}
