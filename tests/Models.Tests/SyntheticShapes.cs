using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// A deterministic toy image set: four classes of 16x16 one-channel shapes in [−1, 1] (background −1, shape +1),
/// each shifted by up to <see cref="MaxShift"/> pixels in x and y: 0 horizontal bar, 1 vertical bar, 2 hollow
/// square, 3 diagonal cross. <see cref="Classify"/> is the matching template classifier: the class of the nearest
/// (L2) of all 4 × 25 shifted templates.
/// </summary>
public static class SyntheticShapes
{
    public const int Size = 16;
    public const int Classes = 4;
    public const int MaxShift = 2;

    public static float[] Draw(int label, int dx, int dy)
    {
        var image = new float[Size * Size];
        Array.Fill(image, -1f);
        void Set(int x, int y)
        {
            x += dx;
            y += dy;
            if (x >= 0 && x < Size && y >= 0 && y < Size)
            {
                image[y * Size + x] = 1f;
            }
        }
        switch (label)
        {
            case 0:
                for (var y = 6; y < 10; y++)
                {
                    for (var x = 2; x < 14; x++)
                    {
                        Set(x, y);
                    }
                }
                break;
            case 1:
                for (var y = 2; y < 14; y++)
                {
                    for (var x = 6; x < 10; x++)
                    {
                        Set(x, y);
                    }
                }
                break;
            case 2:
                for (var i = 3; i < 13; i++)
                {
                    foreach (var edge in new[] { 3, 4, 11, 12 })
                    {
                        Set(i, edge);
                        Set(edge, i);
                    }
                }
                break;
            case 3:
                for (var i = 2; i < 14; i++)
                {
                    Set(i, i);
                    Set(i + 1, i);
                    Set(15 - i, i);
                    Set(14 - i, i);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(label), label, $"labels are 0..{Classes - 1}");
        }
        return image;
    }

    /// <summary>A batch [B, 1, 16, 16] with uniformly drawn labels [B] and shifts.</summary>
    public static (Tensor Images, Tensor Labels) Batch(int batch, Generator g)
    {
        var data = new float[batch * Size * Size];
        var labels = new float[batch];
        for (var i = 0; i < batch; i++)
        {
            var label = g.NextInt(Classes);
            labels[i] = label;
            Draw(label, g.NextInt(2 * MaxShift + 1) - MaxShift, g.NextInt(2 * MaxShift + 1) - MaxShift).CopyTo(data, i * Size * Size);
        }
        return (Tensor.FromArray(data, batch, 1, Size, Size), Tensor.FromArray(labels, batch));
    }

    public static int Classify(ReadOnlySpan<float> image)
    {
        var best = -1;
        var bestDistance = double.MaxValue;
        for (var c = 0; c < Classes; c++)
        {
            for (var dx = -MaxShift; dx <= MaxShift; dx++)
            {
                for (var dy = -MaxShift; dy <= MaxShift; dy++)
                {
                    var template = Draw(c, dx, dy);
                    var distance = 0.0;
                    for (var i = 0; i < template.Length; i++)
                    {
                        var e = image[i] - template[i];
                        distance += e * e;
                    }
                    if (distance < bestDistance)
                    {
                        bestDistance = distance;
                        best = c;
                    }
                }
            }
        }
        return best;
    }
}
