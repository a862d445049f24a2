namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void FiLMForward(Tensor x, Tensor scale, Tensor? bias, Tensor y)
    {
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        var t = (int)(n / scale.Numel);
        ulong px = Ptr(x), ps = Ptr(scale), pb = Ptr(bias), py = Ptr(y);
        void** args = stackalloc void*[] { &px, &ps, &pb, &py, &n, &t };
        Launch("film", "film_forward", x.DType, n, args);
    }

    public void FiLMBackward(Tensor x, Tensor scale, Tensor dy, Tensor? dx, bool accumulateX, Tensor? dscale, bool accumulateScale, Tensor? dbias, bool accumulateBias)
    {
        long rows = scale.Numel;
        if (rows == 0)
        {
            return;
        }
        var t = (int)(x.Numel / rows);
        // lanes per row: a power of two up to 32, enough for T (e.g. 2 for the policy net's horizon-2 features)
        var width = 1;
        while (width < 32 && width < t)
        {
            width <<= 1;
        }
        ulong px = Ptr(x), ps = Ptr(scale), pdy = Ptr(dy), pdx = Ptr(dx), pds = Ptr(dscale), pdb = Ptr(dbias);
        int ax = accumulateX ? 1 : 0, asc = accumulateScale ? 1 : 0, ab = accumulateBias ? 1 : 0;
        var threads = rows * width;
        void** args = stackalloc void*[] { &px, &ps, &pdy, &pdx, &pds, &pdb, &rows, &t, &width, &ax, &asc, &ab };
        Launch("film", "film_backward", x.DType, (uint)((threads + 255) / 256), 1, 256, 0, args);
    }
}
