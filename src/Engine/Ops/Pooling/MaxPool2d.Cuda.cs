namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void MaxPool2dForward(Tensor x, Tensor y, PoolGeometry g)
    {
        long planes = g.Planes;
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW, kernel = g.Kernel, stride = g.Stride, pad = g.Padding;
        var n = planes * outH * outW;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        void** args = stackalloc void*[] { &px, &py, &planes, &inH, &inW, &outH, &outW, &kernel, &stride, &pad };
        Launch("pool", "max_pool2d_forward", x.DType, n, args);
    }

    public void MaxPool2dBackward(Tensor x, Tensor dy, Tensor dx, PoolGeometry g, bool accumulate)
    {
        long planes = g.Planes;
        int inH = g.InH, inW = g.InW, outH = g.OutH, outW = g.OutW, kernel = g.Kernel, stride = g.Stride, pad = g.Padding;
        var acc = accumulate ? 1 : 0;
        var n = planes * inH * inW;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), pdy = Ptr(dy), pdx = Ptr(dx);
        void** args = stackalloc void*[] { &px, &pdy, &pdx, &planes, &inH, &inW, &outH, &outW, &kernel, &stride, &pad, &acc };
        Launch("pool", "max_pool2d_backward", x.DType, n, args);
    }
}
