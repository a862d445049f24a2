namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// bf16 mixed precision, like PyTorch's autocast, per host thread. Inside <see cref="Bf16"/>, the matrix products
/// with float32 operands — <c>Ops.Linear</c>, <c>Ops.MatMul</c>, <c>Ops.Conv2d</c>/<c>Conv1d</c>/<c>ConvTranspose1d</c> —
/// cast their input to bf16 (<c>Ops.Cast</c>, recorded, so gradients flow back cast to float32) and multiply with a bf16
/// copy of the weight (the float32 weight is the recorded input; its gradient is widened into float32; MatMul casts
/// both operands), in bf16 with float32 accumulation (cuBLAS/cuDNN with bf16 tensors and float32 compute; the CPU widens and runs
/// its float32 kernels), round the product to bf16 and cast it back to float32 for the ops that follow; a bias is
/// added in float32. A bf16 activation is taken as it is, and then the product stays bf16 (the float32 bias rounded to
/// bf16 and added to it): the image and policy UNets keep their whole activation stream bf16 under this scope (see
/// README "Precision"). Everything else stays float32: parameters (the master weights), gradients of parameters, Adam
/// moments, Fisher vectors, normalisation statistics and affine parameters, softmax statistics, losses, reductions.
/// Outside the scope nothing changes (the float32 path is bit-identical to running without this class).
/// </summary>
public static class MixedPrecision
{
    [ThreadStatic]
    private static int _bf16Depth;

    /// <summary>Whether matrix products on this thread run in bf16.</summary>
    public static bool IsBf16 => _bf16Depth > 0;

    /// <summary>Opens a scope (this thread) in which float32 matrix products run in bf16; dispose to leave it.</summary>
    public static IDisposable Bf16()
    {
        _bf16Depth++;
        return new Restore();
    }

    /// <summary>Whether an op with these float32 operands should run in bf16 now.</summary>
    internal static bool Applies(Tensor a, Tensor b) => _bf16Depth > 0 && a.DType == DType.F32 && b.DType == DType.F32;

    /// <summary>
    /// Whether a GEMM or convolution of the activation <paramref name="x"/> with the float32 <paramref name="weight"/>
    /// should run in bf16 now: x float32 (cast to bf16, the product cast back to float32), or x already a bf16
    /// activation (a model keeping its activations bf16 under this scope: x is used as it is and the product, bias
    /// included, stays bf16).
    /// </summary>
    internal static bool AppliesToActivation(Tensor x, Tensor weight) =>
        _bf16Depth > 0 && weight.DType == DType.F32 && x.DType is (DType.F32 or DType.BF16);

    private sealed class Restore : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                _bf16Depth--;
            }
        }
    }
}
