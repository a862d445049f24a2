namespace NativeTrustRegion.Engine;

/// <summary>
/// The bf16 copy of a float32 weight that a GEMM or convolution of bf16 activations multiplies with (under
/// <see cref="Autograd.MixedPrecision"/>): the op keeps the copy for its backward pass and takes the float32 weight as
/// its graph input, so the weight's gradient is computed as a bf16 product into scratch that lives only until it is
/// widened into the float32 gradient (not a bf16 gradient buffer held for the rest of the step, as a separate recorded
/// cast would need).
/// </summary>
public static partial class Ops
{
    /// <summary>bf16(<paramref name="weight"/>), not recorded (the op that uses it records the float32 weight).</summary>
    internal static Tensor Bf16WeightCopy(Tensor weight)
    {
        var copy = Tensor.Empty(weight.Shape, DType.BF16, weight.Device);
        weight.Backend.Cast(weight.Detach().Contiguous(), copy);
        return copy;
    }

    /// <summary>
    /// <paramref name="destination"/> (float32) (+)= the bf16 product that <paramref name="product"/> writes into the
    /// bf16 scratch tensor it is given (shaped like the destination), widened exactly.
    /// </summary>
    internal static void AccumulateBf16Product(Tensor destination, bool accumulate, Action<Tensor> product)
    {
        using var scratch = TensorScope.Begin();
        var rounded = Tensor.Empty(destination.Shape, DType.BF16, destination.Device);
        product(rounded);
        if (!accumulate)
        {
            destination.Backend.Cast(rounded, destination);
            return;
        }
        var wide = Tensor.Empty(destination.Shape, destination.DType, destination.Device);
        destination.Backend.Cast(rounded, wide);
        destination.Backend.Binary(BinaryOp.Add, destination, wide, destination);
    }
}
