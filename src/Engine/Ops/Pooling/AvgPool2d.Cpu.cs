using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Average pooling: the forward sums each window's input elements in row-major order and divides once; the backward
/// gathers, for each input element, dy / divisor of every window covering it, in row-major window order. The CUDA
/// kernels (kernels/pool.cu) do the same arithmetic in the same order.
/// </summary>
public sealed partial class CpuBackend
{
    public void AvgPool2dForward(Tensor x, Tensor y, PoolGeometry g, bool countIncludePad)
    {
        DTypeDispatch.For(x.DType, AvgPoolForward<float>, AvgPoolForward<double>)(x, y, g, countIncludePad);
    }

    public void AvgPool2dBackward(Tensor dy, Tensor dx, PoolGeometry g, bool countIncludePad, bool accumulate)
    {
        DTypeDispatch.For(dy.DType, AvgPoolBackward<float>, AvgPoolBackward<double>)(dy, dx, g, countIncludePad, accumulate);
    }

    private static void AvgPoolForward<T>(Tensor xt, Tensor yt, PoolGeometry g, bool countIncludePad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = g.InH * g.InW, outH = g.OutH, outW = g.OutW;
        CpuParallel.For(g.Planes, CpuParallel.GrainFor(g.Planes), (p0, p1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            for (var p = p0; p < p1; p++)
            {
                var plane = x.Slice(p * inPlane, inPlane);
                for (var oh = 0; oh < outH; oh++)
                {
                    int h0 = oh * g.Stride - g.Padding, hs = Math.Max(h0, 0), he = Math.Min(h0 + g.Kernel, g.InH);
                    for (var ow = 0; ow < outW; ow++)
                    {
                        int w0 = ow * g.Stride - g.Padding, ws = Math.Max(w0, 0), we = Math.Min(w0 + g.Kernel, g.InW);
                        var sum = T.Zero;
                        for (var ih = hs; ih < he; ih++)
                        {
                            for (var iw = ws; iw < we; iw++)
                            {
                                sum += plane[ih * g.InW + iw];
                            }
                        }
                        y[(p * outH + oh) * outW + ow] = sum / T.CreateChecked(AvgPoolDivisor(g, oh, ow, countIncludePad));
                    }
                }
            }
        });
    }

    private static void AvgPoolBackward<T>(Tensor dyt, Tensor dxt, PoolGeometry g, bool countIncludePad, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = g.InH * g.InW, outH = g.OutH, outW = g.OutW;
        CpuParallel.For(g.Planes, CpuParallel.GrainFor(g.Planes), (p0, p1) =>
        {
            var dy = Data<T>(dyt);
            var dx = Data<T>(dxt);
            for (var p = p0; p < p1; p++)
            {
                for (var ih = 0; ih < g.InH; ih++)
                {
                    int oh0 = g.FirstWindowCovering(ih), oh1 = g.LastWindowCovering(ih, outH);
                    for (var iw = 0; iw < g.InW; iw++)
                    {
                        int ow0 = g.FirstWindowCovering(iw), ow1 = g.LastWindowCovering(iw, outW);
                        var sum = T.Zero;
                        for (var oh = oh0; oh <= oh1; oh++)
                        {
                            for (var ow = ow0; ow <= ow1; ow++)
                            {
                                sum += dy[(p * outH + oh) * outW + ow] / T.CreateChecked(AvgPoolDivisor(g, oh, ow, countIncludePad));
                            }
                        }
                        var t = p * inPlane + ih * g.InW + iw;
                        dx[t] = accumulate ? dx[t] + sum : sum;
                    }
                }
            }
        });
    }

    /// <summary>
    /// PyTorch's divisor of window (oh, ow): its area clipped to the padded input (count_include_pad), or the number of
    /// input elements under it.
    /// </summary>
    private static int AvgPoolDivisor(PoolGeometry g, int oh, int ow, bool countIncludePad)
    {
        int h0 = oh * g.Stride - g.Padding, w0 = ow * g.Stride - g.Padding;
        if (countIncludePad)
        {
            return (Math.Min(h0 + g.Kernel, g.InH + g.Padding) - h0) * (Math.Min(w0 + g.Kernel, g.InW + g.Padding) - w0);
        }
        return (Math.Min(h0 + g.Kernel, g.InH) - Math.Max(h0, 0)) * (Math.Min(w0 + g.Kernel, g.InW) - Math.Max(w0, 0));
    }
}
