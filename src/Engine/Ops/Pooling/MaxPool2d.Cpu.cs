using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Max pooling: the forward scans each window; the backward gathers, for each input element, dy of every window
/// that covers it and that it won (the window's winner is found again), in row-major window order. Every output
/// element is written by one thread, so results are deterministic; the CUDA kernels (kernels/pool.cu) do the same.
/// </summary>
public sealed partial class CpuBackend
{
    public void MaxPool2dForward(Tensor x, Tensor y, PoolGeometry g)
    {
        DTypeDispatch.For(x.DType, MaxPoolForward<float>, MaxPoolForward<double>)(x, y, g);
    }

    public void MaxPool2dBackward(Tensor x, Tensor dy, Tensor dx, PoolGeometry g, bool accumulate)
    {
        DTypeDispatch.For(x.DType, MaxPoolBackward<float>, MaxPoolBackward<double>)(x, dy, dx, g, accumulate);
    }

    private static void MaxPoolForward<T>(Tensor xt, Tensor yt, PoolGeometry g)
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
                    for (var ow = 0; ow < outW; ow++)
                    {
                        var winner = WindowArgMax<T>(plane, g, oh, ow);
                        y[(p * outH + oh) * outW + ow] = plane[winner];
                    }
                }
            }
        });
    }

    private static void MaxPoolBackward<T>(Tensor xt, Tensor dyt, Tensor dxt, PoolGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = g.InH * g.InW, outH = g.OutH, outW = g.OutW;
        CpuParallel.For(g.Planes, CpuParallel.GrainFor(g.Planes), (p0, p1) =>
        {
            var x = Data<T>(xt);
            var dy = Data<T>(dyt);
            var dx = Data<T>(dxt);
            for (var p = p0; p < p1; p++)
            {
                var plane = x.Slice(p * inPlane, inPlane);
                for (var ih = 0; ih < g.InH; ih++)
                {
                    int oh0 = g.FirstWindowCovering(ih), oh1 = g.LastWindowCovering(ih, outH);
                    for (var iw = 0; iw < g.InW; iw++)
                    {
                        int ow0 = g.FirstWindowCovering(iw), ow1 = g.LastWindowCovering(iw, outW);
                        var here = ih * g.InW + iw;
                        var sum = T.Zero;
                        for (var oh = oh0; oh <= oh1; oh++)
                        {
                            for (var ow = ow0; ow <= ow1; ow++)
                            {
                                if (WindowArgMax<T>(plane, g, oh, ow) == here)
                                {
                                    sum += dy[(p * outH + oh) * outW + ow];
                                }
                            }
                        }
                        var t = p * inPlane + here;
                        dx[t] = accumulate ? dx[t] + sum : sum;
                    }
                }
            }
        });
    }

    /// <summary>
    /// Index in the plane of the element that wins window (oh, ow): the first maximum in row-major order, or the last
    /// NaN (PyTorch's rule: a value wins if it is greater than the best so far or NaN). Padding never wins.
    /// </summary>
    private static int WindowArgMax<T>(ReadOnlySpan<T> plane, PoolGeometry g, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h0 = oh * g.Stride - g.Padding, w0 = ow * g.Stride - g.Padding;
        int hs = Math.Max(h0, 0), ws = Math.Max(w0, 0);
        int he = Math.Min(h0 + g.Kernel, g.InH), we = Math.Min(w0 + g.Kernel, g.InW);
        var best = T.NegativeInfinity;
        var winner = hs * g.InW + ws;
        for (var ih = hs; ih < he; ih++)
        {
            for (var iw = ws; iw < we; iw++)
            {
                var v = plane[ih * g.InW + iw];
                if (v > best || T.IsNaN(v))
                {
                    best = v;
                    winner = ih * g.InW + iw;
                }
            }
        }
        return winner;
    }
}
