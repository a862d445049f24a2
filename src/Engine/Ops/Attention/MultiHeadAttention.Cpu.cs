using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU multi-head attention on token-major [B, N, heads·d] tensors, one (batch, head) at a time, reading q, k, v and
/// writing o, dq, dk, dv where they are (no layout copies). Query rows are processed in blocks of one 512-bit vector
/// (16 float32 or 8 float64 rows, lane = query): per key j, the block's scores, probabilities and score gradients are
/// single vectors built from broadcasts of that key's and value's elements, so the softmax (max, exp, sum), the
/// weighted sum of values and dq need no horizontal reductions and no score matrix beyond the block. The backward
/// recomputes the probabilities from the forward's log-sum-exp, forms dq in the same pass and keeps Pᵀ and dSᵀ of the
/// head for dv = P ᵀ·dO and dk = scale·dSᵀ·Q, two GEMMs that write into the token-major gradients in place. Heads are
/// independent, so the results do not depend on the thread count.
/// </summary>
public sealed partial class CpuBackend
{
    internal static void MultiHeadAttentionForward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor o, Tensor lse) =>
        DTypeDispatch.For(q.DType, MultiHeadAttentionForward<float>, MultiHeadAttentionForward<double>)(q, k, v, heads, scale, o, lse);

    internal static void MultiHeadAttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, int heads, double scale,
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
                            (WeightedColumnSum(ref Unsafe.Add(ref vr, cc), c, ref pr, m) * inv).StoreUnsafe(ref MemoryMarshal.GetReference(lane));
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

    private static void MultiHeadAttentionBackward<T>(Tensor qt, Tensor kt, Tensor vt, Tensor ot, Tensor lt, Tensor gt, int heads, double scaleValue,
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

    /// <summary>Zeroes <paramref name="count"/> rows of <paramref name="width"/> elements, <paramref name="rowStride"/> apart.</summary>
    private static void ClearRows<T>(Span<T> rows, int count, int width, int rowStride)
        where T : unmanaged
    {
        for (var j = 0; j < count; j++)
        {
            rows.Slice(j * rowStride, width).Clear();
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
    private static Vector512<T> WeightedColumnSum<T>(ref T column, int columnStride, ref T weights, int count, int weightStride = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (weightStride == 0)
        {
            weightStride = Vector512<T>.Count;
        }
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
