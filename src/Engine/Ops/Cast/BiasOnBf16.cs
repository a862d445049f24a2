namespace NativeTrustRegion.Engine;

/// <summary>
/// The bias of a bf16 product (a GEMM or convolution of bf16 activations under <see cref="Autograd.MixedPrecision"/>):
/// the float32 bias is rounded to bf16 and added to the bf16 output in place (float32 math, one rounding), as PyTorch's
/// autocast adds a bf16 bias to a bf16 product; its gradient is the float32 sum of the bf16 output gradient.
/// </summary>
public static partial class Ops
{
    /// <summary><paramref name="y"/> (bf16, contiguous) += bf16(<paramref name="bias"/>) along <paramref name="axis"/>, in place.</summary>
    internal static void AddBiasToBf16(Tensor y, Tensor bias, int axis)
    {
        var rounded = bias.DType == DType.BF16 ? bias.Detach() : Tensor.Empty(bias.Shape, DType.BF16, bias.Device);
        if (bias.DType != DType.BF16)
        {
            bias.Backend.Cast(bias.Detach().Contiguous(), rounded);
        }
        y.Backend.Binary(BinaryOp.Add, y, BiasAlong(rounded, axis, y.Rank).Expand(y.Shape), y);
    }

    /// <summary>
    /// The bias gradient db (+)= Σ dy over every axis but <paramref name="axis"/>, for a bf16 or float32 dy and a bias
    /// of either dtype (a bf16 dy is summed in float32; a bf16 bias gets the float32 sum rounded once).
    /// </summary>
    internal static void AccumulateBiasGradient(Tensor dy, Tensor db, int axis, bool accumulate)
    {
        if (dy.DType == db.DType && dy.DType != DType.BF16)
        {
            db.Backend.ReduceSum(dy.Detach(), BiasAlong(db, axis, dy.Rank), accumulate);
            return;
        }
        if (db.DType == DType.F32)
        {
            ReduceSumOfBf16(dy.Detach(), BiasAlong(db, axis, dy.Rank), accumulate);
            return;
        }
        var sum = Tensor.Empty(db.Shape, DType.F32, db.Device);
        if (accumulate)
        {
            db.Backend.Cast(db, sum);
        }
        ReduceSumOfBf16(dy.Detach(), BiasAlong(sum, axis, dy.Rank), accumulate);
        db.Backend.Cast(sum, db);
    }

    /// <summary>The bias gradient as recorded ops (create-graph backward): Σ dy over the other axes, in float32.</summary>
    internal static Tensor BiasGradientWithGraph(Tensor dy, Tensor bias, int axis)
    {
        axis = Shape.Axis("bias gradient", axis, dy.Rank);
        var others = Enumerable.Range(0, dy.Rank).Where(a => a != axis).ToArray();
        var wide = dy.DType == DType.BF16 ? Cast(dy, DType.F32) : dy;
        return Cast(Sum(wide, others).Reshape(bias.Shape), bias.DType);
    }
}
