namespace NativeTrustRegion.Engine;

/// <summary>
/// The dtypes around a GroupNorm: bf16 activations are normalised in float32, so their statistics (mean, rstd) and
/// their affine and FiLM tensors (gamma, beta, scale, shift, and so their gradients) are float32; other dtypes use
/// their own throughout.
/// </summary>
public static partial class Ops
{
    /// <summary>The dtype of the statistics and of the affine/FiLM tensors of a normalisation of <paramref name="activation"/>.</summary>
    internal static DType NormalizationParameterType(DType activation) => activation == DType.BF16 ? DType.F32 : activation;

    /// <summary>Refuses a parameter on another device or of a dtype other than <see cref="NormalizationParameterType"/>.</summary>
    internal static void CheckNormalizationParameter(string op, Tensor x, Tensor parameter, string name)
    {
        TensorOpException.SameDevice(op, x, parameter);
        var expected = NormalizationParameterType(x.DType);
        if (parameter.DType != expected)
        {
            throw new TensorOpException(op,
                $"{name} is {parameter.DType} for a {x.DType} input {TensorOpException.Format(x.Shape)}; it must be {expected}",
                x.DType == DType.BF16
                    ? $"keep {name} in float32 with bf16 activations (the normalisation computes in float32)"
                    : $"convert {name} with .To({expected})");
        }
    }
}
