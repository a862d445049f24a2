namespace NativeTrustRegion.Data;

/// <summary>
/// Pose and style of one rendered glyph, in pixel units of the target image
/// (x to the right, y downwards, pixel (x, y) covers [x, x+1)×[y, y+1)).
/// </summary>
/// <param name="CenterX">Glyph centre, x.</param>
/// <param name="CenterY">Glyph centre, y.</param>
/// <param name="Radius">Half extent of the glyph.</param>
/// <param name="Rotation">Rotation in radians (clockwise on screen).</param>
/// <param name="Stroke">Line width of outlines, bars and arms.</param>
/// <param name="Intensity">Foreground brightness in [0, 1] on a black background.</param>
public readonly record struct GlyphParameters(double CenterX, double CenterY, double Radius, double Rotation, double Stroke, double Intensity);
