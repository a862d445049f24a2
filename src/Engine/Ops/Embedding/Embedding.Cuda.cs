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

    /// <summary>Threads per block of embedding_backward (one column each).</summary>
    internal const int EmbeddingBackwardThreads = 128;

    /// <summary>
    /// The grid of embedding_backward: x = table rows (limit 2³¹−1; grid y would allow only 65535), y = slices of
    /// <see cref="EmbeddingBackwardThreads"/> columns, as embedding.cu reads blockIdx.
    /// </summary>
    internal static (uint X, uint Y) EmbeddingBackwardGrid(int rows, int dim)
    {
        var slices = (dim + (long)EmbeddingBackwardThreads - 1) / EmbeddingBackwardThreads;
        if (slices > LaunchRules.MaxGridYZ)
        {
            throw new TensorOpException("Embedding (CUDA backward)", $"rows of {dim} values do not fit a CUDA grid (at most {LaunchRules.MaxGridYZ * (long)EmbeddingBackwardThreads})",
                "use narrower embeddings");
        }
        return ((uint)rows, (uint)slices);
    }

    public void EmbeddingBackward(Tensor ids, Tensor dout, Tensor dtable)
    {
        int rows = dtable.Shape[0], dim = dtable.Shape[1], count = ids.Shape[0];
        if ((long)rows * dim == 0 || count == 0)
        {
            return;
        }
        ulong pi = Ptr(ids), pd = Ptr(dout), pt = Ptr(dtable);
        var grid = EmbeddingBackwardGrid(rows, dim);
        void** args = stackalloc void*[] { &pi, &pd, &pt, &count, &rows, &dim };
        Launch("embedding", "embedding_backward", dout.DType, grid.X, grid.Y, EmbeddingBackwardThreads, 0, args);
    }
}
