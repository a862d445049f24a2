using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU multi-head attention on token-major [B, N, heads·d] tensors, one (batch, head) at a time, reading q, k, v and
/// writing o, dq, dk, dv where they are (no layout copies). The forward pass takes query rows in blocks of one 512-bit
/// vector (16 float32 or 8 float64 rows, lane = query): per key j, the block's scores and probabilities are single
/// vectors built from broadcasts of that key's and value's elements, so the softmax (max, exp, sum) and the weighted
/// sum of values need no horizontal reductions and no score matrix beyond the block. The backward pass recomputes
/// P = exp(scale·q·kᵀ − lse) from the forward's log-sum-exp and forms dv, dS, dq, dk with five GEMMs per head whose
/// leading dimension is the channel count, so they read and write the token-major tensors in place (for small heads,
/// under 1,024 scores, the query-block pass instead, where the GEMM calls' fixed costs would dominate). Heads are
/// independent, so the results do not depend on the thread count.
/// </summary>
public sealed partial class CpuBackend
{
    public bool HasFusedMultiHeadAttention(DType dtype) => dtype is DType.F32 or DType.F64;

    public void MultiHeadAttentionForward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor o, Tensor lse) =>
        DTypeDispatch.For(q.DType, MultiHeadAttentionForward<float>, MultiHeadAttentionForward<double>)(q, k, v, heads, scale, o, lse);

    public void MultiHeadAttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, int heads, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV) =>
        DTypeDispatch.For(q.DType, MultiHeadAttentionBackward<float>, MultiHeadAttentionBackward<double>)(q, k, v, o, lse, dout, heads, scale, dq, accumulateQ, dk, accumulateK, dv, accumulateV);

    private static void MultiHeadAttentionForward<T>(Tensor qt, Tensor kt, Tensor vt, int heads, double scaleValue, Tensor ot, Tensor lt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = qt.Shape[0], n = qt.Shape[1], m = kt.Shape[1], c = qt.Shape[2], d = c / heads;
        var w = Vector512<T>.Count;
        var np = (n + w - 1) / w * w;
        var scale = T.CreateTruncating(scaleValue);
        var count = batch * heads;
        CpuParallel.For(count, CpuParallel.GrainForElements(count, (long)n * m * 2 + (long)(n + m) * d), (h0, h1) =>
        {
            var scratch = ArrayPool<T>.Shared.Rent(d * np + m * w + 2 * w);
            try
            {
                var q = Data<T>(qt);
                var k = Data<T>(kt);
                var v = Data<T>(vt);
                var o = Data<T>(ot);
                var lse = Data<T>(lt);
                var qT = scratch.AsSpan(0, d * np);
                var p = scratch.AsSpan(d * np, m * w);
                var lane = scratch.AsSpan(d * np + m * w, w);
                for (var bh = h0; bh < h1; bh++)
                {
                    int b = bh / heads, h = bh % heads;
                    var head = h * d;
                    PackQueryBlocks(q.Slice(b * n * c + head), n, d, c, scale, qT, np);
                    ref var kr = ref MemoryMarshal.GetReference(k.Slice(b * m * c + head));
                    ref var vr = ref MemoryMarshal.GetReference(v.Slice(b * m * c + head));
                    ref var pr = ref MemoryMarshal.GetReference(p);
                    for (var i0 = 0; i0 < n; i0 += w)
                    {
                        var rows = Math.Min(w, n - i0);
                        ref var qr = ref MemoryMarshal.GetReference(qT.Slice(i0));
                        // scores of the block's queries against each key, and their running maximum
                        var max = Vector512.Create(T.NegativeInfinity);
                        for (var j = 0; j < m; j++)
                        {
                            var s = BlockScores(ref Unsafe.Add(ref kr, j * c), ref qr, d, np);
                            s.StoreUnsafe(ref pr, (nuint)(j * w));
                            max = Vector512.Max(max, s);
                        }
                        var sum = Vector512<T>.Zero;
                        for (var j = 0; j < m; j++)
                        {
                            var e = Vector512Math.Exp(Vector512.LoadUnsafe(ref pr, (nuint)(j * w)) - max);
                            e.StoreUnsafe(ref pr, (nuint)(j * w));
                            sum += e;
                        }
                        var inv = Vector512<T>.One / sum;
                        (max + Vector512Math.Log(sum)).StoreUnsafe(ref MemoryMarshal.GetReference(lane));
                        lane[..rows].CopyTo(lse.Slice(bh * n + i0, rows));
                        // o = Σ_j p_j·v_j / Σ_j p_j, one channel of the block at a time
                        for (var cc = 0; cc < d; cc++)
                        {
                            (WeightedColumnSum(ref Unsafe.Add(ref vr, cc), c, ref pr, m, w) * inv).StoreUnsafe(ref MemoryMarshal.GetReference(lane));
                            var dst = (b * n + i0) * c + head + cc;
                            for (var r = 0; r < rows; r++)
                            {
                                o[dst + r * c] = lane[r];
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        });
    }

    /// <summary>
    /// The backward pass: five GEMMs per head (leading dimension c) when a head's score matrix has at least
    /// <see cref="GemmBackwardMinScores"/> entries, else the query-block pass of the forward (where the GEMM calls'
    /// fixed costs would dominate, as for the policy's 4-token attention).
    /// </summary>
    private static void MultiHeadAttentionBackward<T>(Tensor qt, Tensor kt, Tensor vt, Tensor ot, Tensor lt, Tensor gt, int heads, double scaleValue,
        Tensor? dqt, bool aq, Tensor? dkt, bool ak, Tensor? dvt, bool av)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((long)qt.Shape[1] * kt.Shape[1] >= GemmBackwardMinScores)
        {
            MultiHeadAttentionBackwardByGemm<T>(qt, kt, vt, ot, lt, gt, heads, scaleValue, dqt, aq, dkt, ak, dvt, av);
        }
        else
        {
            MultiHeadAttentionBackwardByBlocks<T>(qt, kt, vt, ot, lt, gt, heads, scaleValue, dqt, aq, dkt, ak, dvt, av);
        }
    }

    /// <summary>Query count × key count from which the backward pass uses GEMMs (the image models' 8x8 attention has 4,096).</summary>
    internal const int GemmBackwardMinScores = 1024;

    /// <summary>
    /// The backward pass in query blocks (lane = query): per key, P = exp(scores − lse) and dS = P ⊙ (dO·v_j − D) as
    /// vectors, dq from dS and the keys in the same block; Pᵀ and dSᵀ of the head kept for dv = Pᵀ·dO and dk = scale·dSᵀ·Q,
    /// two GEMMs into the token-major gradients in place.
    /// </summary>
    private static void MultiHeadAttentionBackwardByBlocks<T>(Tensor qt, Tensor kt, Tensor vt, Tensor ot, Tensor lt, Tensor gt, int heads, double scaleValue,
        Tensor? dqt, bool aq, Tensor? dkt, bool ak, Tensor? dvt, bool av)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = qt.Shape[0], n = qt.Shape[1], m = kt.Shape[1], c = qt.Shape[2], d = c / heads;
        var w = Vector512<T>.Count;
        var np = (n + w - 1) / w * w;
        var scale = T.CreateTruncating(scaleValue);
        var count = batch * heads;
        CpuParallel.For(count, CpuParallel.GrainForElements(count, (long)n * m * 4 + (long)(n + m) * d), (h0, h1) =>
        {
            var scratch = ArrayPool<T>.Shared.Rent(d * np + 2 * m * np + 2 * d * w + 2 * w);
            try
            {
                var q = Data<T>(qt);
                var k = Data<T>(kt);
                var v = Data<T>(vt);
                var o = Data<T>(ot);
                var lse = Data<T>(lt);
                var g = Data<T>(gt);
                var dq = dqt is null ? default : Data<T>(dqt);
                var dk = dkt is null ? default : Data<T>(dkt);
                var dv = dvt is null ? default : Data<T>(dvt);
                var qT = scratch.AsSpan(0, d * np);
                var pT = scratch.AsSpan(d * np, m * np);
                var dsT = scratch.AsSpan(d * np + m * np, m * np);
                var gT = scratch.AsSpan(d * np + 2 * m * np, d * w);
                var oT = scratch.AsSpan(d * np + 2 * m * np + d * w, d * w);
                var lane = scratch.AsSpan(d * np + 2 * m * np + 2 * d * w, w);
                var lseLane = scratch.AsSpan(d * np + 2 * m * np + 2 * d * w + w, w);
                for (var bh = h0; bh < h1; bh++)
                {
                    int b = bh / heads, h = bh % heads;
                    var head = h * d;
                    var keyBase = b * m * c + head;
                    PackQueryBlocks(q.Slice(b * n * c + head), n, d, c, scale, qT, np);
                    ref var kr = ref MemoryMarshal.GetReference(k.Slice(keyBase));
                    ref var vr = ref MemoryMarshal.GetReference(v.Slice(keyBase));
                    for (var i0 = 0; i0 < n; i0 += w)
                    {
                        var rows = Math.Min(w, n - i0);
                        var first = (b * n + i0) * c + head;
                        // the block's dO and O as one vector per channel (lanes past the last query 0), lse (0 there too)
                        gT.Clear();
                        oT.Clear();
                        lseLane.Clear();
                        for (var r = 0; r < rows; r++)
                        {
                            for (var cc = 0; cc < d; cc++)
                            {
                                gT[cc * w + r] = g[first + r * c + cc];
                                oT[cc * w + r] = o[first + r * c + cc];
                            }
                        }
                        lse.Slice(bh * n + i0, rows).CopyTo(lseLane);
                        ref var qr = ref MemoryMarshal.GetReference(qT.Slice(i0));
                        ref var gr = ref MemoryMarshal.GetReference(gT);
                        ref var orr = ref MemoryMarshal.GetReference(oT);
                        ref var pr = ref MemoryMarshal.GetReference(pT.Slice(i0));
                        ref var dsr = ref MemoryMarshal.GetReference(dsT.Slice(i0));
                        var lseV = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(lseLane));
                        // D = rowsum(dO ⊙ O)
                        var dd = Vector512<T>.Zero;
                        for (var cc = 0; cc < d; cc++)
                        {
                            dd = Vector512Math.MultiplyAdd(Vector512.LoadUnsafe(ref gr, (nuint)(cc * w)), Vector512.LoadUnsafe(ref orr, (nuint)(cc * w)), dd);
                        }
                        // per key: P = exp(scores − lse), dS = P ⊙ (dO·v_j − D); padded lanes get dS = 0
                        for (var j = 0; j < m; j++)
                        {
                            var pj = Vector512Math.Exp(BlockScores(ref Unsafe.Add(ref kr, j * c), ref qr, d, np) - lseV);
                            var dp = BlockScores(ref Unsafe.Add(ref vr, j * c), ref gr, d, w);
                            pj.StoreUnsafe(ref pr, (nuint)(j * np));
                            (pj * (dp - dd)).StoreUnsafe(ref dsr, (nuint)(j * np));
                        }
                        // dQ = scale·dS·K, one channel of the block at a time
                        if (dqt is not null)
                        {
                            var scaleV = Vector512.Create(scale);
                            for (var cc = 0; cc < d; cc++)
                            {
                                (WeightedColumnSum(ref Unsafe.Add(ref kr, cc), c, ref dsr, m, np) * scaleV).StoreUnsafe(ref MemoryMarshal.GetReference(lane));
                                for (var r = 0; r < rows; r++)
                                {
                                    var idx = first + r * c + cc;
                                    dq[idx] = aq ? dq[idx] + lane[r] : lane[r];
                                }
                            }
                        }
                    }
                    // dV = Pᵀ·dO and dK = scale·dSᵀ·Q (Pᵀ, dSᵀ [m, np]; dO, Q, dV, dK rows of stride c)
                    if (dvt is not null && n > 0)
                    {
                        Cpu.Gemm.Single(false, false, m, d, n, T.One, pT, np, g.Slice(b * n * c + head), c, av ? T.One : T.Zero, dv.Slice(keyBase), c);
                    }
                    else if (dvt is not null && !av)
                    {
                        ClearRows(dv.Slice(keyBase), m, d, c);
                    }
                    if (dkt is not null && n > 0)
                    {
                        Cpu.Gemm.Single(false, false, m, d, n, scale, dsT, np, q.Slice(b * n * c + head), c, ak ? T.One : T.Zero, dk.Slice(keyBase), c);
                    }
                    else if (dkt is not null && !ak)
                    {
                        ClearRows(dk.Slice(keyBase), m, d, c);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        });
    }

    /// <summary>The backward pass by GEMMs: P recomputed, then dv, dS, dq, dk, each a GEMM with leading dimension c.</summary>
    private static void MultiHeadAttentionBackwardByGemm<T>(Tensor qt, Tensor kt, Tensor vt, Tensor ot, Tensor lt, Tensor gt, int heads, double scaleValue,
        Tensor? dqt, bool aq, Tensor? dkt, bool ak, Tensor? dvt, bool av)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = qt.Shape[0], n = qt.Shape[1], m = kt.Shape[1], c = qt.Shape[2], d = c / heads;
        var scale = T.CreateTruncating(scaleValue);
        var count = batch * heads;
        CpuParallel.For(count, CpuParallel.GrainForElements(count, (long)n * m * 4 + (long)(n + m) * d), (h0, h1) =>
        {
            var scratch = ArrayPool<T>.Shared.Rent(2 * n * m);
            try
            {
                var q = Data<T>(qt);
                var k = Data<T>(kt);
                var v = Data<T>(vt);
                var o = Data<T>(ot);
                var lse = Data<T>(lt);
                var g = Data<T>(gt);
                var dq = dqt is null ? default : Data<T>(dqt);
                var dk = dkt is null ? default : Data<T>(dkt);
                var dv = dvt is null ? default : Data<T>(dvt);
                var p = scratch.AsSpan(0, n * m);
                var dp = scratch.AsSpan(n * m, n * m);
                for (var bh = h0; bh < h1; bh++)
                {
                    int b = bh / heads, h = bh % heads;
                    var queryBase = b * n * c + h * d;
                    var keyBase = b * m * c + h * d;
                    // the head's rows are d-wide blocks c apart in the token-major tensors: GEMMs with leading dimension c
                    var qh = q.Slice(queryBase);
                    var kh = k.Slice(keyBase);
                    var gh = g.Slice(queryBase);
                    if (n == 0)
                    {
                        ClearUnlessAccumulating(dk, dkt is not null && !ak, keyBase, m, d, c);
                        ClearUnlessAccumulating(dv, dvt is not null && !av, keyBase, m, d, c);
                        continue;
                    }
                    // P = exp(scale·q·kᵀ − lse)
                    Cpu.Gemm.Single(false, true, n, m, d, scale, qh, c, kh, c, T.Zero, p, m);
                    for (var i = 0; i < n; i++)
                    {
                        ExpShiftedRow(p.Slice(i * m, m), lse[bh * n + i]);
                    }
                    if (dvt is not null)
                    {
                        // dV (+)= Pᵀ·dO
                        Cpu.Gemm.Single(true, false, m, d, n, T.One, p, m, gh, c, av ? T.One : T.Zero, dv.Slice(keyBase), c);
                    }
                    if (dqt is null && dkt is null)
                    {
                        continue;
                    }
                    // dS = P ⊙ (dO·Vᵀ − rowsum(dO ⊙ O))
                    Cpu.Gemm.Single(false, true, n, m, d, T.One, gh, c, v.Slice(keyBase), c, T.Zero, dp, m);
                    for (var i = 0; i < n; i++)
                    {
                        var row = queryBase + i * c;
                        var di = T.Zero;
                        for (var cc = 0; cc < d; cc++)
                        {
                            di += g[row + cc] * o[row + cc];
                        }
                        ScoreGradientRow(dp.Slice(i * m, m), p.Slice(i * m, m), di);
                    }
                    if (dqt is not null)
                    {
                        // dQ (+)= scale·dS·K
                        Cpu.Gemm.Single(false, false, n, d, m, scale, dp, m, kh, c, aq ? T.One : T.Zero, dq.Slice(queryBase), c);
                    }
                    if (dkt is not null)
                    {
                        // dK (+)= scale·dSᵀ·Q
                        Cpu.Gemm.Single(true, false, m, d, n, scale, dp, m, qh, c, ak ? T.One : T.Zero, dk.Slice(keyBase), c);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        });
    }

    /// <summary>row = exp(row − shift): whole vectors with <see cref="Vector512Math.Exp{T}"/>, the tail through a padded vector.</summary>
    private static void ExpShiftedRow<T>(Span<T> row, T shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        var shiftV = Vector512.Create(shift);
        ref var r = ref MemoryMarshal.GetReference(row);
        var j = 0;
        for (; j + w <= row.Length; j += w)
        {
            Vector512Math.Exp(Vector512.LoadUnsafe(ref r, (nuint)j) - shiftV).StoreUnsafe(ref r, (nuint)j);
        }
        if (j < row.Length)
        {
            Span<T> lane = stackalloc T[w];
            lane.Clear();
            row[j..].CopyTo(lane);
            Vector512Math.Exp(Vector512.Create<T>(lane) - shiftV).CopyTo(lane);
            lane[..(row.Length - j)].CopyTo(row[j..]);
        }
    }

    /// <summary>dp = p ⊙ (dp − di) over one row.</summary>
    private static void ScoreGradientRow<T>(Span<T> dp, ReadOnlySpan<T> p, T di)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        var diV = Vector512.Create(di);
        ref var dr = ref MemoryMarshal.GetReference(dp);
        ref var pr = ref MemoryMarshal.GetReference(p);
        var j = 0;
        for (; j + w <= dp.Length; j += w)
        {
            (Vector512.LoadUnsafe(ref pr, (nuint)j) * (Vector512.LoadUnsafe(ref dr, (nuint)j) - diV)).StoreUnsafe(ref dr, (nuint)j);
        }
        for (; j < dp.Length; j++)
        {
            dp[j] = p[j] * (dp[j] - di);
        }
    }

    /// <summary>Zeroes <paramref name="count"/> rows of <paramref name="width"/> elements, <paramref name="rowStride"/> apart.</summary>
    private static void ClearRows<T>(Span<T> rows, int count, int width, int rowStride)
        where T : unmanaged
    {
        for (var j = 0; j < count; j++)
        {
            rows.Slice(j * rowStride, width).Clear();
        }
    }

    /// <summary>Zeroes <paramref name="count"/> rows of <paramref name="width"/> elements, <paramref name="rowStride"/> apart, from <paramref name="start"/> (when asked).</summary>
    private static void ClearUnlessAccumulating<T>(Span<T> data, bool clear, int start, int count, int width, int rowStride)
        where T : unmanaged
    {
        if (clear)
        {
            ClearRows(data.Slice(start), count, width, rowStride);
        }
    }

    /// <summary>qT[c·stride + i] = scale·rows[i·rowStride + c] for i &lt; count, c &lt; width; 0 for count ≤ i &lt; stride.</summary>
    private static void PackQueryBlocks<T>(ReadOnlySpan<T> rows, int count, int width, int rowStride, T scale, Span<T> qT, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var cc = 0; cc < width; cc++)
        {
            var dst = qT.Slice(cc * stride, stride);
            for (var i = 0; i < count; i++)
            {
                dst[i] = scale * rows[i * rowStride + cc];
            }
            dst[count..].Clear();
        }
    }

    /// <summary>Σ_c key[c]·block[c·stride …]: one key's dot products with a block of vectors (lane = query).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> BlockScores<T>(ref T key, ref T block, int width, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var acc = Vector512<T>.Zero;
        for (var cc = 0; cc < width; cc++)
        {
            acc = Vector512Math.MultiplyAdd(Vector512.Create(Unsafe.Add(ref key, cc)), Vector512.LoadUnsafe(ref block, (nuint)(cc * stride)), acc);
        }
        return acc;
    }

    /// <summary>Σ_j column[j·columnStride]·weights[j·weightStride …] over j &lt; count (two interleaved sums, added at the end).</summary>
    private static Vector512<T> WeightedColumnSum<T>(ref T column, int columnStride, ref T weights, int count, int weightStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero;
        var j = 0;
        for (; j + 1 < count; j += 2)
        {
            a0 = Vector512Math.MultiplyAdd(Vector512.Create(Unsafe.Add(ref column, j * columnStride)), Vector512.LoadUnsafe(ref weights, (nuint)(j * weightStride)), a0);
            a1 = Vector512Math.MultiplyAdd(Vector512.Create(Unsafe.Add(ref column, (j + 1) * columnStride)), Vector512.LoadUnsafe(ref weights, (nuint)((j + 1) * weightStride)), a1);
        }
        if (j < count)
        {
            a0 = Vector512Math.MultiplyAdd(Vector512.Create(Unsafe.Add(ref column, j * columnStride)), Vector512.LoadUnsafe(ref weights, (nuint)(j * weightStride)), a0);
        }
        return a0 + a1;
    }
}
