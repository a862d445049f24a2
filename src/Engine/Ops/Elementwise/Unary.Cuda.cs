namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        var code = (int)op;
        void** args = stackalloc void*[] { &code, &px, &py, &n };
        Launch("elementwise", "unary", x.DType, n, args);
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate)
    {
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y), pdy = Ptr(dy), pdx = Ptr(dx);
        int code = (int)op, acc = accumulate ? 1 : 0;
        void** args = stackalloc void*[] { &code, &px, &py, &pdy, &pdx, &n, &acc };
        Launch("elementwise", "unary_backward", x.DType, n, args);
    }

    public void Affine(Tensor x, double mul, double add, Tensor y)
    {
        RefuseBf16(x, "elementwise.affine");
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        if (x.DType == DType.F32)
        {
            float m = (float)mul, a = (float)add;
            void** args = stackalloc void*[] { &px, &py, &n, &m, &a };
            Launch("elementwise", "affine", DType.F32, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &px, &py, &n, &mul, &add };
            Launch("elementwise", "affine", DType.F64, n, args);
        }
    }

    public void Clamp(Tensor x, double low, double high, Tensor y)
    {
        RefuseBf16(x, "elementwise.clamp");
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        if (x.DType == DType.F32)
        {
            float lo = (float)low, hi = (float)high;
            void** args = stackalloc void*[] { &px, &py, &n, &lo, &hi };
            Launch("elementwise", "clamp", DType.F32, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &px, &py, &n, &low, &high };
            Launch("elementwise", "clamp", DType.F64, n, args);
        }
    }

    public void ClampBackward(Tensor x, double low, double high, Tensor dy, Tensor dx, bool accumulate)
    {
        RefuseBf16(x, "elementwise.clamp_backward");
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), pdy = Ptr(dy), pdx = Ptr(dx);
        var acc = accumulate ? 1 : 0;
        if (x.DType == DType.F32)
        {
            float lo = (float)low, hi = (float)high;
            void** args = stackalloc void*[] { &px, &pdy, &pdx, &n, &lo, &hi, &acc };
            Launch("elementwise", "clamp_backward", DType.F32, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &px, &pdy, &pdx, &n, &low, &high, &acc };
            Launch("elementwise", "clamp_backward", DType.F64, n, args);
        }
    }
}
