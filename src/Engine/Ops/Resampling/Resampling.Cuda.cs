namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void UpsampleNearest2xForward(Tensor x, Tensor y) => Resample("spread2x2", x, y, x, 1.0, false);

    public void UpsampleNearest2xBackward(Tensor dy, Tensor dx, bool accumulate) => Resample("pool2x2", dy, dx, dx, 1.0, accumulate);

    public void AvgPool2x2Forward(Tensor x, Tensor y) => Resample("pool2x2", x, y, y, 0.25, false);

    public void AvgPool2x2Backward(Tensor dy, Tensor dx, bool accumulate) => Resample("spread2x2", dy, dx, dy, 0.25, accumulate);

    /// <summary>Spread (small → 2x2 blocks) or pool (2x2 blocks → small); <paramref name="small"/> is the half-size image.</summary>
    private void Resample(string kernel, Tensor src, Tensor dst, Tensor small, double scale, bool accumulate)
    {
        long planes = (long)small.Shape[0] * small.Shape[1];
        int h = small.Shape[2], w = small.Shape[3];
        var n = planes * h * w;
        if (n == 0)
        {
            return;
        }
        ulong ps = Ptr(src), pd = Ptr(dst);
        var acc = accumulate ? 1 : 0;
        if (src.DType is DType.F32 or DType.BF16)
        {
            // bf16 storage computes in float32
            var s = (float)scale;
            void** args = stackalloc void*[] { &ps, &pd, &planes, &h, &w, &s, &acc };
            Launch("resample", kernel, src.DType, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &ps, &pd, &planes, &h, &w, &scale, &acc };
            Launch("resample", kernel, DType.F64, n, args);
        }
    }
}
