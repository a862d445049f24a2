using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>
/// Sums of bf16 tensors (a bias gradient, a broadcast operand's gradient), in float32: the bf16 values are widened into
/// a float32 scratch buffer that lives only for the sum (its own <see cref="TensorScope"/>, so a step's peak memory
/// holds at most one such buffer at a time) and reduced by the float32 kernel.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// <paramref name="output"/> (float32, contiguous) (+)= the sum of the bf16 <paramref name="x"/> over every axis where
    /// output has size 1 (same rank), accumulated in float32.
    /// </summary>
    internal static void ReduceSumOfBf16(Tensor x, Tensor output, bool accumulate)
    {
        using var scratch = TensorScope.Begin();
        var wide = Tensor.Empty(x.Shape, DType.F32, x.Device);
        x.Backend.Cast(x.Contiguous(), wide);
        output.Backend.ReduceSum(wide, output, accumulate);
    }

    /// <summary>
    /// The sum of the bf16 gradient <paramref name="g"/> down to <paramref name="kept"/> (same rank, 1 on the reduced
    /// axes), in float32 and rounded to bf16 once. Recorded (through float32 casts) when g requires a gradient.
    /// </summary>
    private static Tensor SumOfBf16To(Tensor g, int[] axes, int[] kept)
    {
        if (GradMode.IsEnabled && g.RequiresGrad)
        {
            return Cast(Sum(Cast(g, DType.F32), axes, keepDim: true), DType.BF16);
        }
        var sum = Tensor.Empty(kept, DType.F32, g.Device);
        ReduceSumOfBf16(g, sum, accumulate: false);
        var rounded = Tensor.Empty(kept, DType.BF16, g.Device);
        g.Backend.Cast(sum, rounded);
        return rounded;
    }
}
