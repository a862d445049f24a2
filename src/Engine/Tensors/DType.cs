namespace NativeTrustRegion.Engine;

/// <summary>
/// Element type of a tensor: float32 for training, float64 for gradient checks, bfloat16 for the operands of
/// mixed-precision matrix products (<see cref="BFloat16"/>: casts, copies, GEMM and convolution only; every other
/// kernel computes in float32 or float64).
/// </summary>
public enum DType
{
    F32,
    F64,
    BF16,
}

public static class DTypeInfo
{
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.F32 => 4,
        DType.F64 => 8,
        DType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The safetensors name of the dtype ("F32", "F64", "BF16").</summary>
    public static string SafetensorsName(this DType dtype) => dtype switch
    {
        DType.F32 => "F32",
        DType.F64 => "F64",
        DType.BF16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };
}
