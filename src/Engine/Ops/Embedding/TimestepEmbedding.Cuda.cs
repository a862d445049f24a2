namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void TimestepEmbedding(Tensor t, Tensor output, bool flipSinToCos, double freqShift, double maxPeriod)
    {
        int count = output.Shape[0], dim = output.Shape[1];
        if ((long)count * dim == 0)
        {
            return;
        }
        ulong pt = Ptr(t), po = Ptr(output);
        var flip = flipSinToCos ? 1 : 0;
        var logMaxPeriod = Math.Log(maxPeriod);
        void** args = stackalloc void*[] { &pt, &po, &count, &dim, &flip, &freqShift, &logMaxPeriod };
        Launch("embedding", "timestep_embedding", output.DType, (long)count * dim, args);
    }
}
