namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    /// <summary>gram = G·Gᵀ/N by cuBLAS in full float32 (never TF32: cosines near 1 need the precision), then the cosines from it.</summary>
    public void GradientCollinearity(Tensor perSample, Tensor cosines, Tensor gram)
    {
        int n = perSample.Shape[0], p = perSample.Shape[1];
        if (n == 0)
        {
            return;
        }
        GemmCore(false, true, n, n, p, 1.0 / n, perSample, 0, perSample, 0, 0, gram, 0, 1, tf32: false);
        ulong pg = Ptr(gram), pc = Ptr(cosines);
        void** args = stackalloc void*[] { &pg, &n, &pc };
        Launch("fisher", "collinearity_cosines", perSample.DType, 1, 1, 256, 0, args);
    }
}
