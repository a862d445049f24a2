namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    /// <summary>The device regenerates the mask in the backward pass (no mask is stored): always returns null.</summary>
    public DropoutMask? DropoutForward(Tensor x, Tensor y, double p, ulong seed, ulong offset, bool keepMask = false)
    {
        Dropout(x, y, p, seed, offset, false);
        return null;
    }

    public void DropoutBackward(Tensor dy, Tensor dx, double p, ulong seed, ulong offset, bool accumulate, DropoutMask? mask = null) =>
        Dropout(dy, dx, p, seed, offset, accumulate);

    private void Dropout(Tensor src, Tensor dst, double p, ulong seed, ulong offset, bool accumulate)
    {
        long n = src.Numel;
        if (n == 0)
        {
            return;
        }
        ulong ps = Ptr(src), pd = Ptr(dst);
        var threshold = (float)p;
        var acc = accumulate ? 1 : 0;
        var keep = 1.0 / (1.0 - p);
        // inside a graph capture the mask's counter offset is shifted by the step's staged value at every replay (the
        // plain kernel ignores the last array entry: the driver reads as many parameters as the kernel declares)
        var shift = _capture?.ShiftFor(seed, "a dropout mask") ?? 0;
        var kernel = _capture is null ? "dropout" : "dropout_shifted";
        if (src.DType is DType.F32 or DType.BF16)
        {
            // bf16 storage computes in float32
            var keep32 = (float)keep;
            void** args = stackalloc void*[] { &ps, &pd, &n, &threshold, &keep32, &seed, &offset, &acc, &shift };
            Launch("dropout", kernel, src.DType, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &ps, &pd, &n, &threshold, &keep, &seed, &offset, &acc, &shift };
            Launch("dropout", kernel, DType.F64, n, args);
        }
    }
}
