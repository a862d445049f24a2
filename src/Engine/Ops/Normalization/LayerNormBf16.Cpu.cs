namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU LayerNorm of bf16 activations (as kernels/layernorm.cu's bf16 instantiation: bf16 x, y, dy, dx; float32 math,
/// statistics, gamma, beta and their gradients): x and dy are widened exactly to float32 scratch, the float32 kernels
/// run, and y and dx are rounded to bf16 once.
/// </summary>
public sealed partial class CpuBackend
{
    private void LayerNormForwardBf16(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        var wideY = BFloat16Widening.Scratch(y);
        LayerNormForward(BFloat16Widening.Widen(x), gamma, beta, eps, wideY, mean, rstd);
        BFloat16Widening.Narrow(wideY, y);
    }

    private void LayerNormBackwardBf16(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta)
    {
        var wideDx = dx is null ? null : accumulateDx ? BFloat16Widening.Widen(dx) : BFloat16Widening.Scratch(dx);
        LayerNormBackward(BFloat16Widening.Widen(x), BFloat16Widening.Widen(dy), mean, rstd, gamma, wideDx, accumulateDx, dgamma, dbeta);
        if (dx is not null)
        {
            BFloat16Widening.Narrow(wideDx!, dx);
        }
    }
}
