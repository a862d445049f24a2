namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void LayerNormForward(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        int rows = x.Shape[0], d = x.Shape[1];
        if (rows == 0 || d == 0)
        {
            return;
        }
        ulong px = Ptr(x), pg = Ptr(gamma), pb = Ptr(beta), py = Ptr(y), pm = Ptr(mean), pr = Ptr(rstd);
        if (x.DType is DType.F32 or DType.BF16)
        {
            // bf16 storage: float32 math, statistics and affine parameters
            var e = (float)eps;
            void** args = stackalloc void*[] { &px, &pg, &pb, &py, &pm, &pr, &d, &e };
            Launch("layernorm", "layernorm_forward", x.DType, (uint)rows, 1, RowThreads(d), 0, args);
        }
        else
        {
            void** args = stackalloc void*[] { &px, &pg, &pb, &py, &pm, &pr, &d, &eps };
            Launch("layernorm", "layernorm_forward", DType.F64, (uint)rows, 1, RowThreads(d), 0, args);
        }
    }

    public void LayerNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta)
    {
        int rows = x.Shape[0], d = x.Shape[1];
        if (rows == 0 || d == 0)
        {
            return;
        }
        ulong px = Ptr(x), pdy = Ptr(dy), pm = Ptr(mean), pr = Ptr(rstd), pg = Ptr(gamma);
        if (dx is not null)
        {
            var pdx = Ptr(dx);
            var acc = accumulateDx ? 1 : 0;
            void** args = stackalloc void*[] { &px, &pdy, &pm, &pr, &pg, &pdx, &d, &acc };
            Launch("layernorm", "layernorm_backward_dx", x.DType, (uint)rows, 1, RowThreads(d), 0, args);
        }
        if (dgamma is null && dbeta is null)
        {
            return;
        }
        // column sums over row chunks; the chunk count depends only on the shape
        var splits = Math.Clamp((65536 + d - 1) / d, 1, Math.Max(1, rows / 16));
        using var partialGamma = Scratch(mean.DType, (long)splits * d);
        using var partialBeta = Scratch(mean.DType, (long)splits * d);
        ulong ppg = dgamma is null ? 0 : partialGamma.Pointer, ppb = dbeta is null ? 0 : partialBeta.Pointer;
        void** pargs = stackalloc void*[] { &px, &pdy, &pm, &pr, &ppg, &ppb, &rows, &d, &splits };
        var threads = (long)splits * d;
        Launch("layernorm", "layernorm_param_partial", x.DType, (uint)((threads + 255) / 256), 1, 256, 0, pargs);
        if (dgamma is not null)
        {
            SumRows(ppg, dgamma, d, splits, true);
        }
        if (dbeta is not null)
        {
            SumRows(ppb, dbeta, d, splits, true);
        }
    }
}
