namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// Parameter counts written out from the layer formulas (architectures.md §1.3 and §3.4), independent of the model
/// code. T is the time-embedding width.
/// </summary>
public static class ClosedFormCounts
{
    /// <summary>ResnetBlock2D(ci → co): GN(ci) + conv3x3 + time projection + GN(co) + conv3x3 (+ 1x1 shortcut if ci ≠ co).</summary>
    public static long Resnet(long ci, long co, long t = 512) =>
        2 * ci + (9 * ci * co + co) + (t * co + co) + 2 * co + (9 * co * co + co) + (ci != co ? ci * co + co : 0);

    /// <summary>Attention(C): GN(C) + q, k, v, out Linear(C → C) = 4C² + 6C.</summary>
    public static long Attention(long c) => 4 * c * c + 6 * c;

    /// <summary>A strided-conv downsampler or nearest+conv upsampler at C channels.</summary>
    public static long ResampleConv(long c) => 9 * c * c + c;

    /// <summary>FiLM ConditionalResidualBlock1D(ci → co) with kernel 5 and FiLM input width cond.</summary>
    public static long FilmResBlock(long ci, long co, long cond) =>
        (5 * ci * co + co) + 2 * co + (5 * co * co + co) + 2 * co + (cond * 2 * co + 2 * co) + (ci != co ? ci * co + co : 0);

    /// <summary>8-head self-attention with packed in-projection and two LayerNorms: 4C² + 4C + 2·2C.</summary>
    public static long SelfAttention1D(long c) => 4 * c * c + 4 * c + 4 * c;

    /// <summary>Diffusion Policy step MLP: dsed → 4·dsed → dsed.</summary>
    public static long StepMlp(long dsed) => (dsed * 4 * dsed + 4 * dsed) + (4 * dsed * dsed + dsed);
}
