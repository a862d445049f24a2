using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Bilinear resize (align_corners = false). The forward interpolates each output pixel from its two rows and two
/// columns; the backward gathers, for each input pixel, the weighted dy of every output pixel that reads it. The CUDA
/// kernels (kernels/bilinear.cu) do the same arithmetic in the same order.
/// </summary>
public sealed partial class CpuBackend
{
    public void ResizeBilinearForward(Tensor x, Tensor y)
    {
        DTypeDispatch.For(x.DType, ResizeForward<float>, ResizeForward<double>)(x, y);
    }

    public void ResizeBilinearBackward(Tensor dy, Tensor dx, bool accumulate)
    {
        DTypeDispatch.For(dy.DType, ResizeBackward<float>, ResizeBackward<double>)(dy, dx, accumulate);
    }

    private static void ResizeForward<T>(Tensor xt, Tensor yt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = xt.Shape[0] * xt.Shape[1], inH = xt.Shape[2], inW = xt.Shape[3], outH = yt.Shape[2], outW = yt.Shape[3];
        var rows = Enumerable.Range(0, outH).Select(o => BilinearTap<T>.Of(o, inH, outH)).ToArray();
        var columns = Enumerable.Range(0, outW).Select(o => BilinearTap<T>.Of(o, inW, outW)).ToArray();
        var count = planes * outH;
        CpuParallel.For(count, CpuParallel.GrainFor(count), (r0, r1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            for (var r = r0; r < r1; r++)
            {
                var p = r / outH;
                var row = rows[r % outH];
                var top = x.Slice((p * inH + row.I0) * inW, inW);
                var bottom = x.Slice((p * inH + row.I1) * inW, inW);
                var output = y.Slice(r * outW, outW);
                for (var ow = 0; ow < outW; ow++)
                {
                    var c = columns[ow];
                    var upper = c.L0 * top[c.I0] + c.L1 * top[c.I1];
                    var lower = c.L0 * bottom[c.I0] + c.L1 * bottom[c.I1];
                    output[ow] = row.L0 * upper + row.L1 * lower;
                }
            }
        });
    }

    private static void ResizeBackward<T>(Tensor dyt, Tensor dxt, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = dxt.Shape[0] * dxt.Shape[1], inH = dxt.Shape[2], inW = dxt.Shape[3], outH = dyt.Shape[2], outW = dyt.Shape[3];
        var count = planes * inH;
        CpuParallel.For(count, CpuParallel.GrainFor(count), (r0, r1) =>
        {
            var dy = Data<T>(dyt);
            var dx = Data<T>(dxt);
            for (var r = r0; r < r1; r++)
            {
                int p = r / inH, ih = r % inH;
                int oh0 = BilinearTap<T>.FirstOutputReading(ih, inH, outH), oh1 = BilinearTap<T>.LastOutputReading(ih, inH, outH);
                for (var iw = 0; iw < inW; iw++)
                {
                    int ow0 = BilinearTap<T>.FirstOutputReading(iw, inW, outW), ow1 = BilinearTap<T>.LastOutputReading(iw, inW, outW);
                    var sum = T.Zero;
                    for (var oh = oh0; oh <= oh1; oh++)
                    {
                        var wh = BilinearTap<T>.Of(oh, inH, outH).WeightOf(ih);
                        if (wh == T.Zero)
                        {
                            continue;
                        }
                        var inner = T.Zero;
                        for (var ow = ow0; ow <= ow1; ow++)
                        {
                            var ww = BilinearTap<T>.Of(ow, inW, outW).WeightOf(iw);
                            if (ww != T.Zero)
                            {
                                inner += ww * dy[(p * outH + oh) * outW + ow];
                            }
                        }
                        sum += wh * inner;
                    }
                    var t = r * inW + iw;
                    dx[t] = accumulate ? dx[t] + sum : sum;
                }
            }
        });
    }
}
