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
    /// Grid x of embedding_backward: one block per (table row, slice of <see cref="EmbeddingBackwardThreads"/>
    /// columns), all in grid x (limit 2³¹−1) with the slices of one row consecutive, as embedding.cu decodes
    /// blockIdx.x (grid y would be limited to 65535 table rows).
    /// </summary>
    internal static uint EmbeddingBackwardGridX(int rows, int dim)
    {
        var blocks = (dim + (long)EmbeddingBackwardThreads - 1) / EmbeddingBackwardThreads * rows;
        if (blocks > LaunchRules.MaxGridX)
        {
            throw new TensorOpException("Embedding (CUDA backward)", $"a [{rows}, {dim}] table needs {blocks} blocks, more than a CUDA grid holds",
                "use a smaller table");
        }
        return (uint)blocks;
    }

    public void EmbeddingBackward(Tensor ids, Tensor dout, Tensor dtable)
    {
        int rows = dtable.Shape[0], dim = dtable.Shape[1], count = ids.Shape[0];
        if ((long)rows * dim == 0 || count == 0)
        {
            return;
        }
        ulong pi = Ptr(ids), pd = Ptr(dout), pt = Ptr(dtable);
        var grid = EmbeddingBackwardGridX(rows, dim);
        void** args = stackalloc void*[] { &pi, &pd, &pt, &count, &rows, &dim };
        Launch("embedding", "embedding_backward", dout.DType, grid, 1, EmbeddingBackwardThreads, 0, args);
    }
}
