namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void EmbeddingForward(Tensor table, Tensor ids, Tensor output)
    {
        int rows = table.Shape[0], dim = table.Shape[1], count = ids.Shape[0];
        if ((long)count * dim == 0)
        {
            return;
        }
        ulong pt = Ptr(table), pi = Ptr(ids), po = Ptr(output);
        void** args = stackalloc void*[] { &pt, &pi, &po, &count, &rows, &dim };
        Launch("embedding", "embedding_forward", table.DType, (long)count * dim, args);
    }

    public void EmbeddingBackward(Tensor ids, Tensor dout, Tensor dtable)
    {
        int rows = dtable.Shape[0], dim = dtable.Shape[1], count = ids.Shape[0];
        if ((long)rows * dim == 0 || count == 0)
        {
            return;
        }
        ulong pi = Ptr(ids), pd = Ptr(dout), pt = Ptr(dtable);
        const int threads = 128;
        void** args = stackalloc void*[] { &pi, &pd, &pt, &count, &rows, &dim };
        Launch("embedding", "embedding_backward", dout.DType, (uint)((dim + threads - 1) / threads), (uint)rows, threads, 0, args);
    }
}
