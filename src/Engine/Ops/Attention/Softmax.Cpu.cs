using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void SoftmaxForward(Tensor x, Tensor y)
    {
        DTypeDispatch.For(x.DType, SoftmaxRows<float>, SoftmaxRows<double>)(x, y);
    }

    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, bool accumulate)
    {
        DTypeDispatch.For(y.DType, SoftmaxBackwardRows<float>, SoftmaxBackwardRows<double>)(y, dy, dx, accumulate);
    }

    private static void SoftmaxRows<T>(Tensor xt, Tensor yt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = xt.Shape[0], d = xt.Shape[1];
        CpuParallel.For(rows, CpuParallel.GrainForElements(rows, d), (r0, r1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            for (var r = r0; r < r1; r++)
            {
                SoftmaxRow(x.Slice(r * d, d), y.Slice(r * d, d));
            }
        });
    }

    /// <summary>Stable softmax of one row; returns log Σ exp(x) (the log-sum-exp).</summary>
    internal static T SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var max = TensorPrimitives.Max<T>(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp<T>(y, y);
        var sum = TensorPrimitives.Sum<T>(y);
        TensorPrimitives.Divide(y, sum, y);
        return max + T.Log(sum);
    }

    private static void SoftmaxBackwardRows<T>(Tensor yt, Tensor dyt, Tensor dxt, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = yt.Shape[0], d = yt.Shape[1];
        CpuParallel.For(rows, CpuParallel.GrainForElements(rows, d), (r0, r1) =>
        {
            var y = Data<T>(yt);
            var dy = Data<T>(dyt);
            var dx = Data<T>(dxt);
            for (var r = r0; r < r1; r++)
            {
                var yr = y.Slice(r * d, d);
                var dyr = dy.Slice(r * d, d);
                var dot = TensorPrimitives.Dot<T>(yr, dyr);
                for (var j = 0; j < d; j++)
                {
                    var v = yr[j] * (dyr[j] - dot);
                    dx[r * d + j] = accumulate ? dx[r * d + j] + v : v;
                }
            }
        });
    }
}
