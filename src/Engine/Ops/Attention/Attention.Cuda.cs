namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    private const int AttentionThreads = KernelSharedMemory.AttentionThreads;

    /// <summary>No fused multi-head kernel on the device: <see cref="Ops.MultiHeadAttention"/> composes head split, the attention kernel and head merge.</summary>
    public bool HasFusedMultiHeadAttention(DType dtype) => false;

    public void MultiHeadAttentionForward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor o, Tensor lse) =>
        throw new NotSupportedException("the CUDA back end has no fused multi-head attention (HasFusedMultiHeadAttention is false): Ops.MultiHeadAttention composes it");

    public void MultiHeadAttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, int heads, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV) =>
        throw new NotSupportedException("the CUDA back end has no fused multi-head attention (HasFusedMultiHeadAttention is false): Ops.MultiHeadAttention composes it");

    /// <summary>The kernel variant's padded head dim (8, 16, 32, 64 or 128) and the rows of one 128-thread block.</summary>
    internal static (int Dim, int Rows) AttentionVariant(int d)
    {
        var dim = d <= 8 ? 8 : d <= 16 ? 16 : d <= 32 ? 32 : d <= 64 ? 64 : d <= 128 ? 128
            : throw new TensorOpException("ScaledDotProductAttention", $"head dim {d} is larger than the CUDA kernel's 128", "use at most 128 features per head (more heads instead)");
        var perThread = dim <= 32 ? 8 : 16;
        return (dim, AttentionThreads / (dim / perThread));
    }

    /// <summary>
    /// The grid of an attention kernel over <paramref name="rows"/> rows of each of <paramref name="batchHeads"/> heads:
    /// x = batch·heads (limit 2³¹−1; grid y's 65535 is reached by image-paper's 32 heads at batch 2048), y = blocks of
    /// <paramref name="rowsPerBlock"/> rows, as attention.cu reads blockIdx.
    /// </summary>
    internal static (uint X, uint Y) AttentionGrid(long batchHeads, int rows, int rowsPerBlock)
    {
        var rowBlocks = (rows + (long)rowsPerBlock - 1) / rowsPerBlock;
        if (batchHeads > LaunchRules.MaxGridX || rowBlocks > LaunchRules.MaxGridYZ)
        {
            throw new TensorOpException("ScaledDotProductAttention",
                $"{batchHeads} batch·heads × {rows} rows do not fit a CUDA grid (at most {LaunchRules.MaxGridX} batch·heads and {LaunchRules.MaxGridYZ * (long)rowsPerBlock} rows)",
                "split the batch or the sequence");
        }
        return ((uint)batchHeads, (uint)rowBlocks);
    }

    public void AttentionForward(Tensor q, Tensor k, Tensor v, double scale, Tensor o, Tensor lse)
    {
        int bh = q.Shape[0] * q.Shape[1], n = q.Shape[2], d = q.Shape[3], m = k.Shape[2];
        if (bh == 0 || n == 0 || m == 0)
        {
            return;
        }
        var (dim, rows) = AttentionVariant(d);
        ulong pq = Ptr(q), pk = Ptr(k), pv = Ptr(v), po = Ptr(o), pl = Ptr(lse);
        var grid = AttentionGrid(bh, n, rows);
        if (q.DType is DType.F32 or DType.BF16)
        {
            // bf16 storage: float32 math, float32 log-sum-exp
            var s = (float)scale;
            void** args = stackalloc void*[] { &pq, &pk, &pv, &po, &pl, &n, &m, &d, &s };
            Launch("attention", $"attention_forward_{AttentionSuffix(q.DType)}_d{dim}", null, grid.X, grid.Y, AttentionThreads, 0, args);
        }
        else
        {
            void** args = stackalloc void*[] { &pq, &pk, &pv, &po, &pl, &n, &m, &d, &scale };
            Launch("attention", $"attention_forward_f64_d{dim}", null, grid.X, grid.Y, AttentionThreads, 0, args);
        }
    }

    public void AttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV)
    {
        int bh = q.Shape[0] * q.Shape[1], n = q.Shape[2], d = q.Shape[3], m = k.Shape[2];
        if (bh == 0 || n == 0 || m == 0 || (dq is null && dk is null && dv is null))
        {
            // no queries (or no keys): dK, dV (or dQ) are sums over nothing, so zero; the destinations may be
            // uninitialised, so they are written (Fill skips the empty ones)
            ZeroUnlessAccumulating(dq, accumulateQ);
            ZeroUnlessAccumulating(dk, accumulateK);
            ZeroUnlessAccumulating(dv, accumulateV);
            return;
        }
        var (dim, rows) = AttentionVariant(d);
        var suffix = AttentionSuffix(q.DType);
        ulong pq = Ptr(q), pk = Ptr(k), pv = Ptr(v), po = Ptr(o), pl = Ptr(lse), pdo = Ptr(dout);
        ulong pdq = Ptr(dq), pdk = Ptr(dk), pdv = Ptr(dv);
        int aq = accumulateQ ? 1 : 0, ak = accumulateK ? 1 : 0, av = accumulateV ? 1 : 0;
        long rowCount = (long)bh * n;
        using var delta = Scratch(lse.DType, rowCount);
        var pdelta = delta.Pointer;
        void** dotArgs = stackalloc void*[] { &po, &pdo, &pdelta, &rowCount, &d };
        Launch("attention", "attention_row_dot", q.DType, rowCount, dotArgs);
        var f32 = lse.DType == DType.F32;
        var s32 = (float)scale;
        void* ps = f32 ? (void*)&s32 : &scale;
        if (dk is not null || dv is not null)
        {
            var kvGrid = AttentionGrid(bh, m, rows);
            void** kvArgs = stackalloc void*[] { &pq, &pk, &pv, &pdo, &pl, &pdelta, &pdk, &pdv, &n, &m, &d, ps, &ak, &av };
            Launch("attention", $"attention_backward_kv_{suffix}_d{dim}", null, kvGrid.X, kvGrid.Y, AttentionThreads, 0, kvArgs);
        }
        if (dq is not null)
        {
            var qGrid = AttentionGrid(bh, n, rows);
            void** qArgs = stackalloc void*[] { &pq, &pk, &pv, &pdo, &pl, &pdelta, &pdq, &n, &m, &d, ps, &aq };
            Launch("attention", $"attention_backward_q_{suffix}_d{dim}", null, qGrid.X, qGrid.Y, AttentionThreads, 0, qArgs);
        }
    }

    private static string AttentionSuffix(DType dtype) => dtype switch
    {
        DType.F32 => "f32",
        DType.BF16 => "bf16",
        _ => "f64",
    };

    private void ZeroUnlessAccumulating(Tensor? gradient, bool accumulate)
    {
        if (gradient is not null && !accumulate)
        {
            Fill(gradient, 0);
        }
    }
}
