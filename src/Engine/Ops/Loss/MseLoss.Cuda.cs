namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    private const int MseChunk = 8192;

    public void MseForward(Tensor pred, Tensor target, Tensor loss)
    {
        long n = pred.Numel;
        var chunks = (int)Math.Max(1, (n + MseChunk - 1) / MseChunk);
        ulong pp = Ptr(pred), pt = Ptr(target), pl = Ptr(loss);
        using var partial = Scratch(DType.F64, chunks);
        var ppart = partial.Pointer;
        // with n = 0 the single block writes a zero partial
        void** args = stackalloc void*[] { &pp, &pt, &ppart, &n };
        Launch("loss", "mse_partial", pred.DType, (uint)chunks, 1, 256, 0, args);
        void** fargs = stackalloc void*[] { &ppart, &chunks, &pl, &n };
        Launch("loss", "mse_finish", pred.DType, 1, 1, 1024, 0, fargs);
    }

    public void MseBackward(Tensor pred, Tensor target, Tensor g, double sign, Tensor dpred, bool accumulate)
    {
        long n = pred.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pp = Ptr(pred), pt = Ptr(target), pg = Ptr(g), pd = Ptr(dpred);
        var scale = sign * 2.0 / Math.Max(1, n);
        var acc = accumulate ? 1 : 0;
        void** args = stackalloc void*[] { &pp, &pt, &pg, &scale, &pd, &n, &acc };
        Launch("loss", "mse_backward", pred.DType, n, args);
    }
}
