namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void ResizeBilinearForward(Tensor x, Tensor y)
    {
        long planes = (long)x.Shape[0] * x.Shape[1];
        int inH = x.Shape[2], inW = x.Shape[3], outH = y.Shape[2], outW = y.Shape[3];
        var n = planes * outH * outW;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        void** args = stackalloc void*[] { &px, &py, &planes, &inH, &inW, &outH, &outW };
        Launch("bilinear", "resize_bilinear_forward", x.DType, n, args);
    }

    public void ResizeBilinearBackward(Tensor dy, Tensor dx, bool accumulate)
    {
        long planes = (long)dx.Shape[0] * dx.Shape[1];
        int inH = dx.Shape[2], inW = dx.Shape[3], outH = dy.Shape[2], outW = dy.Shape[3];
        var acc = accumulate ? 1 : 0;
        var n = planes * inH * inW;
        if (n == 0)
        {
            return;
        }
        ulong pdy = Ptr(dy), pdx = Ptr(dx);
        void** args = stackalloc void*[] { &pdy, &pdx, &planes, &inH, &inW, &outH, &outW, &acc };
        Launch("bilinear", "resize_bilinear_backward", dy.DType, n, args);
    }
}
