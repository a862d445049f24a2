namespace NativeTrustRegion.Engine;

/// <summary>
/// The bfloat16 format (1 sign, 8 exponent, 7 mantissa bits: the upper half of a float32) as raw bits. Conversion
/// from float32 rounds to nearest, ties to even (as CUDA's __float2bfloat16_rn and PyTorch); a NaN stays a NaN
/// (its sign and upper payload kept, quiet bit set), infinities and overflow past the largest bf16 give ±∞.
/// Conversion back is exact. The CUDA kernels use the same formula (kernels/common.cuh: float_to_bf16).
/// </summary>
public static class BFloat16
{
    /// <summary>The bf16 bits nearest to <paramref name="value"/> (ties to even); NaN → quiet NaN.</summary>
    public static ushort FromFloat(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
        {
            return (ushort)((bits >> 16) | 0x0040u);
        }
        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>The float32 with the same value as the bf16 bits (exact).</summary>
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary><paramref name="value"/> rounded to the nearest bf16, as a float32.</summary>
    public static float Round(float value) => ToFloat(FromFloat(value));

    /// <summary>Rounds every element of <paramref name="source"/> to bf16.</summary>
    public static void FromFloats(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = FromFloat(source[i]);
        }
    }

    /// <summary>Widens every bf16 element of <paramref name="source"/> to float32 (exact).</summary>
    public static void ToFloats(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = ToFloat(source[i]);
        }
    }
}
