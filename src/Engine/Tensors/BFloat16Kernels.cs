namespace NativeTrustRegion.Engine;

/// <summary>
/// Which kernels take bfloat16 tensors, and the message every other one gives: bf16 is a storage format for the
/// operands of mixed-precision matrix products (<see cref="MixedPrecision"/>) and for the models' activations through
/// normalisation, attention, resampling, dropout, binary and unary elementwise ops (computed in float32, rounded once);
/// affine/clamp, softmax, reductions, losses and optimizers take float32.
/// </summary>
public static class BFloat16Kernels
{
    /// <summary>The ops and back-end calls that accept bf16 tensors.</summary>
    public const string Accepted = "casts (Ops.Cast, Tensor.To), copies, fills, host transfers, MatMul, Linear and Conv2d/Conv1d/ConvTranspose1d (a float32 bias is rounded to bf16), " +
        "GroupNorm, GroupNormSiLU and LayerNorm (float32 gamma, beta, FiLM), scaled dot-product attention, nearest 2x upsampling, 2x2 average pooling, dropout, " +
        "Add/Sub/Mul/Div of two bf16 tensors and the unary functions (Exp … SiLU, Mish)";

    /// <summary>The error for a kernel without a bf16 instantiation.</summary>
    public static TensorOpException Unsupported(string op = "kernel") =>
        new(op, $"this kernel has no bfloat16 instantiation; bf16 tensors are accepted by {Accepted} only",
            "cast to float32 first (Ops.Cast(x, DType.F32)), or let MixedPrecision.Bf16() pick bf16 for the matrix products");

    internal static void RefuseRandom(string op, DType dtype)
    {
        if (dtype == DType.BF16)
        {
            throw new TensorOpException(op, "random fills are drawn in float32 or float64, not bf16", "draw float32 values and cast them (Ops.Cast(x, DType.BF16))");
        }
    }
}
