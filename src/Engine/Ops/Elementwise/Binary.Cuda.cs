namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor output)
    {
        long n = output.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pa = Ptr(a), pb = Ptr(b), po = Ptr(output);
        var code = (int)op;
        if (a.IsContiguous && b.IsContiguous && output.IsContiguous && a.Numel == n && b.Numel == n && !HasBroadcast(a) && !HasBroadcast(b))
        {
            void** args = stackalloc void*[] { &code, &pa, &pb, &po, &n };
            Launch("elementwise", "binary_contiguous", output.DType, n, args);
            return;
        }
        var layout = StridedLayout.Create(op.ToString(), output.Shape, a.Strides, b.Strides, output.Strides);
        void** sargs = stackalloc void*[] { &code, &pa, &pb, &po, &layout, &n };
        Launch("elementwise", "binary_strided", output.DType, n, sargs);
    }

    private static bool HasBroadcast(Tensor t)
    {
        for (var i = 0; i < t.Rank; i++)
        {
            if (t.Strides[i] == 0 && t.Shape[i] > 1)
            {
                return true;
            }
        }
        return false;
    }
}
