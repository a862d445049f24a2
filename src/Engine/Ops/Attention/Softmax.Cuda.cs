namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    /// <summary>Threads of a block that owns one row of length d: a power of two from 32 to 512.</summary>
    internal static uint RowThreads(long d)
    {
        uint t = 32;
        while (t < 512 && t * 4 < d)
        {
            t <<= 1;
        }
        return t;
    }

    public void SoftmaxForward(Tensor x, Tensor y)
    {
        int rows = x.Shape[0], d = x.Shape[1];
        if (rows == 0 || d == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        void** args = stackalloc void*[] { &px, &py, &d };
        Launch("softmax", "softmax_forward", x.DType, (uint)rows, 1, RowThreads(d), 0, args);
    }

    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, bool accumulate)
    {
        int rows = y.Shape[0], d = y.Shape[1];
        if (rows == 0 || d == 0)
        {
            return;
        }
        ulong py = Ptr(y), pdy = Ptr(dy), pdx = Ptr(dx);
        var acc = accumulate ? 1 : 0;
        void** args = stackalloc void*[] { &py, &pdy, &pdx, &d, &acc };
        Launch("softmax", "softmax_backward", y.DType, (uint)rows, 1, RowThreads(d), 0, args);
    }
}
