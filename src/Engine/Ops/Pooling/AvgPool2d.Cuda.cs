namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void AvgPool2dForward(Tensor x, Tensor y, PoolGeometry g, bool countIncludePad)
    {
        long planes = g.Planes;
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW, kernel = g.Kernel, stride = g.Stride, pad = g.Padding;
        var includePad = countIncludePad ? 1 : 0;
        var n = planes * outH * outW;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        void** args = stackalloc void*[] { &px, &py, &planes, &inH, &inW, &outH, &outW, &kernel, &stride, &pad, &includePad };
        Launch("pool", "avg_pool2d_forward", x.DType, n, args);
    }

    public void AvgPool2dBackward(Tensor dy, Tensor dx, PoolGeometry g, bool countIncludePad, bool accumulate)
    {
        long planes = g.Planes;
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW, kernel = g.Kernel, stride = g.Stride, pad = g.Padding;
        int includePad = countIncludePad ? 1 : 0, acc = accumulate ? 1 : 0;
        var n = planes * inH * inW;
        if (n == 0)
        {
            return;
        }
        ulong pdy = Ptr(dy), pdx = Ptr(dx);
        void** args = stackalloc void*[] { &pdy, &pdx, &planes, &inH, &inW, &outH, &outW, &kernel, &stride, &pad, &includePad, &acc };
        Launch("pool", "avg_pool2d_backward", dy.DType, n, args);
    }
}
