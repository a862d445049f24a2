using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The two input indices and weights that one output index of a bilinear resize reads along one axis (PyTorch,
/// align_corners = false, scale = in/out, in the tensor's dtype): source s = max(0, scale·(o + ½) − ½),
/// I0 = ⌊s⌋, I1 = I0 + 1 (I0 at the last index), L1 = s − I0, L0 = 1 − L1. kernels/bilinear.cu has the same function.
/// </summary>
internal readonly record struct BilinearTap<T>(int I0, int I1, T L0, T L1)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static BilinearTap<T> Of(int output, int inSize, int outSize)
    {
        var half = T.CreateChecked(0.5);
        var scale = T.CreateChecked(inSize) / T.CreateChecked(outSize);
        var source = scale * (T.CreateChecked(output) + half) - half;
        if (source < T.Zero)
        {
            source = T.Zero;
        }
        var i0 = int.CreateTruncating(source);
        var i1 = i0 < inSize - 1 ? i0 + 1 : i0;
        var l1 = source - T.CreateChecked(i0);
        return new BilinearTap<T>(i0, i1, T.One - l1, l1);
    }

    /// <summary>The weight with which this output reads input index <paramref name="input"/> (0 if it does not).</summary>
    public T WeightOf(int input)
    {
        var w = T.Zero;
        if (I0 == input)
        {
            w += L0;
        }
        if (I1 == input)
        {
            w += L1;
        }
        return w;
    }

    /// <summary>A lower bound on the outputs that read input index i (they have I0 ∈ {i − 1, i}), with a margin for rounding.</summary>
    public static int FirstOutputReading(int input, int inSize, int outSize) =>
        input <= 1 ? 0 : Math.Max(0, (int)Math.Floor((input - 0.5) * outSize / inSize - 0.5) - 1);

    /// <summary>An upper bound on the outputs that read input index i, with a margin for rounding.</summary>
    public static int LastOutputReading(int input, int inSize, int outSize) =>
        Math.Min(outSize - 1, (int)Math.Ceiling((input + 1.5) * outSize / inSize - 0.5) + 1);
}
