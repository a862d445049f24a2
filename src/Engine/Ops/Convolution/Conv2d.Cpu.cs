using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution by im2col + GEMM over chunks of samples: a chunk's columns lie side by side ([k, samples·P·Q]), so
/// each chunk is one GEMM whose column count is large even for 8x8 images and short 1-D sequences. The chunks depend
/// only on the geometry (<see cref="SampleChunks"/>), threads take whole chunks, and the weight gradient adds the
/// chunks' sums in chunk order, so results are the same for any thread count and timing. 3x3 stride-1 layers with
/// at least <see cref="WinogradMinChannels"/> input and output channels take the Winograd path (Conv2dWinograd.Cpu.cs).
/// </summary>
public sealed partial class CpuBackend
{
    public void Conv2dForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        if (x.DType == DType.BF16)
        {
            // bf16: the float32 im2col convolution of the exactly widened operands (direct sums, as cuDNN's, never Winograd),
            // the output rounded to bf16 once
            var wy = BFloat16Widening.Scratch(y);
            ConvForward<float>(BFloat16Widening.Widen(x), BFloat16Widening.Widen(w), bias is null ? null : BFloat16Widening.Widen(bias), wy, g);
            BFloat16Widening.Narrow(wy, y);
            return;
        }
        Algorithm(g, x.DType, Winograd4Forward<float>, Winograd4Forward<double>, WinogradForward<float>, WinogradForward<double>, ConvForward<float>, ConvForward<double>)(x, w, bias, y, g);
    }

    public void Conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
    {
        if (dy.DType == DType.BF16)
        {
            var wdx = accumulate ? BFloat16Widening.Widen(dx) : BFloat16Widening.Scratch(dx);
            ConvBackwardData<float>(BFloat16Widening.Widen(dy), BFloat16Widening.Widen(w), wdx, g, accumulate);
            BFloat16Widening.Narrow(wdx, dx);
            return;
        }
        Algorithm(g, dy.DType, Winograd4BackwardData<float>, Winograd4BackwardData<double>, WinogradBackwardData<float>, WinogradBackwardData<double>, ConvBackwardData<float>, ConvBackwardData<double>)(dy, w, dx, g, accumulate);
    }

    public void Conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
    {
        if (x.DType == DType.BF16)
        {
            var wdw = accumulate ? BFloat16Widening.Widen(dw) : BFloat16Widening.Scratch(dw);
            ConvBackwardFilter<float>(BFloat16Widening.Widen(x), BFloat16Widening.Widen(dy), wdw, g, accumulate);
            BFloat16Widening.Narrow(wdw, dw);
            return;
        }
        Algorithm(g, x.DType, Winograd4BackwardFilter<float>, Winograd4BackwardFilter<double>, WinogradBackwardFilter<float>, WinogradBackwardFilter<double>, ConvBackwardFilter<float>, ConvBackwardFilter<double>)(x, dy, dw, g, accumulate);
    }

    /// <summary>
    /// The kernel of one pass for this geometry and dtype: Winograd for 3x3 stride-1 layers wide enough (F(4x4, 3x3)
    /// for outputs from 8x8 to 16 wide, else F(2x2, 3x3)), else im2col + GEMM.
    /// </summary>
    private static TKernel Algorithm<TKernel>(ConvGeometry g, DType dtype, TKernel winograd4x32, TKernel winograd4x64, TKernel winograd32, TKernel winograd64,
        TKernel im2col32, TKernel im2col64)
        where TKernel : Delegate =>
        UsesWinograd4(g) ? DTypeDispatch.For(dtype, winograd4x32, winograd4x64)
        : UsesWinograd(g) ? DTypeDispatch.For(dtype, winograd32, winograd64)
        : DTypeDispatch.For(dtype, im2col32, im2col64);

    /// <summary>
    /// Samples per GEMM: enough that the GEMM's column count (samples × output pixels) keeps OpenBLAS efficient on small
    /// images and 1-D sequences, few enough that the unfolded columns stay near the cache (about 1 MiB of floats), and
    /// at least <see cref="MinChunks"/> chunks so threads have work to share. Depends only on the geometry, never on the
    /// thread count, so every chunk's arithmetic (and the order the filter gradient's chunk sums are added) is fixed.
    /// </summary>
    private static (int PerChunk, int Chunks) SampleChunks(ConvGeometry g)
    {
        var perSample = (long)Math.Max(g.PatchSize, g.OutChannels) * g.OutH * g.OutW;
        var perChunk = (int)Math.Clamp(ColumnBudget / Math.Max(1, perSample), 1, g.Batch);
        perChunk = Math.Min(perChunk, (g.Batch + MinChunks - 1) / MinChunks);
        perChunk = Math.Max(1, perChunk);
        return (perChunk, (g.Batch + perChunk - 1) / perChunk);
    }

    private const long ColumnBudget = 1 << 18;

    /// <summary>
    /// Chunks per thread hand-off: one each, unless a chunk is so small (under ~0.5M multiply-adds, tens of
    /// microseconds) that waking another thread costs more than it saves. Chunks are computed alike whichever thread
    /// runs them, so this changes the speed only, not the results.
    /// </summary>
    private static int ChunkGrain(ConvGeometry g, int perChunk, int chunks) =>
        CpuParallel.GrainForElements(chunks, (long)perChunk * g.OutH * g.OutW * g.PatchSize * g.OutChannels / 32);

    private const int MinChunks = 2;

    private static void ConvForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var ya = ((CpuStorage)y.Storage).Array<T>();
        var ba = bias is null ? null : ((CpuStorage)bias.Storage).Array<T>();
        int xo = (int)x.Offset, wo = (int)w.Offset, yo = (int)y.Offset, bo = (int)(bias?.Offset ?? 0);
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize, kout = g.OutChannels;
        var (perChunk, chunks) = SampleChunks(g);
        CpuParallel.For(chunks, ChunkGrain(g, perChunk, chunks), (c0, c1) =>
        {
            var col = ArrayPool<T>.Shared.Rent(k * perChunk * outHW);
            var yt = perChunk > 1 ? ArrayPool<T>.Shared.Rent(kout * perChunk * outHW) : null;
            try
            {
                for (var c = c0; c < c1; c++)
                {
                    int n0 = c * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, len = m * outHW;
                    for (var j = 0; j < m; j++)
                    {
                        Unfold(xa.AsSpan(xo + (n0 + j) * inSize, inSize), col, j * outHW, len, g);
                    }
                    if (m == 1)
                    {
                        var yn = ya.AsSpan(yo + n0 * kout * outHW, kout * outHW);
                        Cpu.Gemm.Single(false, false, kout, outHW, k, T.One, wa.AsSpan(wo), k, col, outHW, T.Zero, yn, outHW);
                        if (ba is not null)
                        {
                            for (var o = 0; o < kout; o++)
                            {
                                TensorPrimitives.Add(yn.Slice(o * outHW, outHW), ba[bo + o], yn.Slice(o * outHW, outHW));
                            }
                        }
                        continue;
                    }
                    // one GEMM for the chunk: [K, k] · [k, m·P·Q], then each sample's [K, P·Q] block back in place
                    Cpu.Gemm.Single(false, false, kout, len, k, T.One, wa.AsSpan(wo), k, col, len, T.Zero, yt!, len);
                    for (var j = 0; j < m; j++)
                    {
                        var yn = ya.AsSpan(yo + (n0 + j) * kout * outHW, kout * outHW);
                        for (var o = 0; o < kout; o++)
                        {
                            var src = yt.AsSpan(o * len + j * outHW, outHW);
                            if (ba is null)
                            {
                                src.CopyTo(yn.Slice(o * outHW, outHW));
                            }
                            else
                            {
                                TensorPrimitives.Add(src, ba[bo + o], yn.Slice(o * outHW, outHW));
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(col);
                if (yt is not null)
                {
                    ArrayPool<T>.Shared.Return(yt);
                }
            }
        });
    }

    /// <summary>Columns [k, len] of sample j (its P·Q columns start at <paramref name="column"/>): im2col, or the input itself for a 1x1 conv.</summary>
    private static void Unfold<T>(ReadOnlySpan<T> xn, Span<T> col, int column, int len, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.IsPointwise)
        {
            var hw = g.InH * g.InW;
            for (var ch = 0; ch < g.InChannels; ch++)
            {
                xn.Slice(ch * hw, hw).CopyTo(col.Slice(ch * len + column, hw));
            }
            return;
        }
        Im2Col(xn, col, column, len, g);
    }

    /// <summary>Gathers the output gradients of samples [n0, n0 + m) into [K, m·P·Q] (one sample's block per column range).</summary>
    private static void GatherOutput<T>(T[] dya, int dyo, int n0, int m, T[] dyt, ConvGeometry g)
        where T : unmanaged
    {
        int outHW = g.OutH * g.OutW, kout = g.OutChannels, len = m * outHW;
        for (var j = 0; j < m; j++)
        {
            var dyn = dya.AsSpan(dyo + (n0 + j) * kout * outHW, kout * outHW);
            for (var o = 0; o < kout; o++)
            {
                dyn.Slice(o * outHW, outHW).CopyTo(dyt.AsSpan(o * len + j * outHW, outHW));
            }
        }
    }

    private static void ConvBackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var dxa = ((CpuStorage)dx.Storage).Array<T>();
        int dyo = (int)dy.Offset, wo = (int)w.Offset, dxo = (int)dx.Offset;
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize, kout = g.OutChannels;
        var (perChunk, chunks) = SampleChunks(g);
        CpuParallel.For(chunks, ChunkGrain(g, perChunk, chunks), (c0, c1) =>
        {
            var col = ArrayPool<T>.Shared.Rent(k * perChunk * outHW);
            var dyt = perChunk > 1 ? ArrayPool<T>.Shared.Rent(kout * perChunk * outHW) : null;
            try
            {
                for (var c = c0; c < c1; c++)
                {
                    int n0 = c * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, len = m * outHW;
                    ReadOnlySpan<T> grads;
                    if (m == 1)
                    {
                        grads = dya.AsSpan(dyo + n0 * kout * outHW, kout * outHW);
                        if (g.IsPointwise)
                        {
                            var dxn = dxa.AsSpan(dxo + n0 * inSize, inSize);
                            Cpu.Gemm.Single(true, false, k, outHW, kout, T.One, wa.AsSpan(wo), k, grads, outHW, accumulate ? T.One : T.Zero, dxn, outHW);
                            continue;
                        }
                    }
                    else
                    {
                        GatherOutput(dya, dyo, n0, m, dyt!, g);
                        grads = dyt;
                    }
                    // columns of the chunk: [k, K] · [K, m·P·Q], then folded back per sample
                    Cpu.Gemm.Single(true, false, k, len, kout, T.One, wa.AsSpan(wo), k, grads, len, T.Zero, col.AsSpan(0, k * len), len);
                    for (var j = 0; j < m; j++)
                    {
                        var dxn = dxa.AsSpan(dxo + (n0 + j) * inSize, inSize);
                        if (g.IsPointwise)
                        {
                            var hw = g.InH * g.InW;
                            for (var ch = 0; ch < g.InChannels; ch++)
                            {
                                var src = col.AsSpan(ch * len + j * outHW, hw);
                                var dst = dxn.Slice(ch * hw, hw);
                                if (accumulate)
                                {
                                    TensorPrimitives.Add(dst, src, dst);
                                }
                                else
                                {
                                    src.CopyTo(dst);
                                }
                            }
                            continue;
                        }
                        if (!accumulate)
                        {
                            dxn.Clear();
                        }
                        Col2Im(col, j * outHW, len, dxn, g);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(col);
                if (dyt is not null)
                {
                    ArrayPool<T>.Shared.Return(dyt);
                }
            }
        });
    }

    private static void ConvBackwardFilter<T>(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var dwa = ((CpuStorage)dw.Storage).Array<T>();
        int xo = (int)x.Offset, dyo = (int)dy.Offset, dwo = (int)dw.Offset;
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize, kout = g.OutChannels;
        var wSize = kout * k;
        var (perChunk, chunks) = SampleChunks(g);
        var partials = new T[chunks][];
        CpuParallel.For(chunks, ChunkGrain(g, perChunk, chunks), (c0, c1) =>
        {
            var col = ArrayPool<T>.Shared.Rent(k * perChunk * outHW);
            var dyt = perChunk > 1 ? ArrayPool<T>.Shared.Rent(kout * perChunk * outHW) : null;
            try
            {
                for (var c = c0; c < c1; c++)
                {
                    int n0 = c * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, len = m * outHW;
                    for (var j = 0; j < m; j++)
                    {
                        Unfold(xa.AsSpan(xo + (n0 + j) * inSize, inSize), col, j * outHW, len, g);
                    }
                    ReadOnlySpan<T> grads;
                    if (m == 1)
                    {
                        grads = dya.AsSpan(dyo + n0 * kout * outHW, kout * outHW);
                    }
                    else
                    {
                        GatherOutput(dya, dyo, n0, m, dyt!, g);
                        grads = dyt;
                    }
                    // the chunk's sum over its samples and pixels in one GEMM: [K, m·P·Q] · [m·P·Q, k]
                    var partial = new T[wSize];
                    Cpu.Gemm.Single(false, true, kout, k, len, T.One, grads, len, col, len, T.Zero, partial, k);
                    partials[c] = partial;
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(col);
                if (dyt is not null)
                {
                    ArrayPool<T>.Shared.Return(dyt);
                }
            }
        });
        var target = dwa.AsSpan(dwo, wSize);
        if (!accumulate)
        {
            partials[0].CopyTo(target);
        }
        else
        {
            TensorPrimitives.Add(target, partials[0], target);
        }
        for (var c = 1; c < chunks; c++)
        {
            TensorPrimitives.Add(target, partials[c], target);
        }
    }

    /// <summary>
    /// Unfolds one sample [C, H, W] into columns [C·R·S, P·Q] (zero padding): row r of the sample's columns is
    /// col[r·rowStride + column .. + P·Q] (several samples side by side when rowStride exceeds P·Q).
    /// </summary>
    private static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col, int column, int rowStride, ConvGeometry g)
        where T : unmanaged, INumber<T>
    {
        if (IsSameStrideOne(g))
        {
            Im2ColSame(x, col, column, rowStride, g);
            return;
        }
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var r = 0; r < g.KernelH; r++)
            {
                for (var s = 0; s < g.KernelW; s++)
                {
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * rowStride + column, outHW);
                    for (var p = 0; p < outH; p++)
                    {
                        var ih = p * g.StrideH - g.PadH + r;
                        var dst = row.Slice(p * outW, outW);
                        if (ih < 0 || ih >= g.InH)
                        {
                            dst.Clear();
                            continue;
                        }
                        var src = x.Slice((c * g.InH + ih) * g.InW, g.InW);
                        if (g.StrideW == 1)
                        {
                            // one contiguous run, zero borders: output q reads input column q - padW + s
                            var shift = s - g.PadW;
                            var q0 = Math.Max(0, -shift);
                            var q1 = Math.Min(outW, g.InW - shift);
                            if (q1 <= q0)
                            {
                                dst.Clear();
                                continue;
                            }
                            dst.Slice(0, q0).Clear();
                            src.Slice(q0 + shift, q1 - q0).CopyTo(dst.Slice(q0, q1 - q0));
                            dst.Slice(q1).Clear();
                        }
                        else
                        {
                            for (var q = 0; q < outW; q++)
                            {
                                var iw = q * g.StrideW - g.PadW + s;
                                dst[q] = (uint)iw < (uint)g.InW ? src[iw] : T.Zero;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds columns [C·R·S, P·Q] (laid out as in <see cref="Im2Col{T}"/>) back into one sample [C, H, W] (the adjoint of Im2Col).</summary>
    private static void Col2Im<T>(Span<T> col, int column, int rowStride, Span<T> x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsSameStrideOne(g))
        {
            Col2ImSame(col, column, rowStride, x, g);
            return;
        }
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var r = 0; r < g.KernelH; r++)
            {
                for (var s = 0; s < g.KernelW; s++)
                {
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * rowStride + column, outHW);
                    for (var p = 0; p < outH; p++)
                    {
                        var ih = p * g.StrideH - g.PadH + r;
                        if (ih < 0 || ih >= g.InH)
                        {
                            continue;
                        }
                        var dst = x.Slice((c * g.InH + ih) * g.InW, g.InW);
                        var src = row.Slice(p * outW, outW);
                        if (g.StrideW == 1)
                        {
                            var shift = s - g.PadW;
                            var q0 = Math.Max(0, -shift);
                            var q1 = Math.Min(outW, g.InW - shift);
                            if (q1 > q0)
                            {
                                var target = dst.Slice(q0 + shift, q1 - q0);
                                TensorPrimitives.Add(target, src.Slice(q0, q1 - q0), target);
                            }
                            continue;
                        }
                        for (var q = 0; q < outW; q++)
                        {
                            var iw = q * g.StrideW - g.PadW + s;
                            if ((uint)iw < (uint)g.InW)
                            {
                                dst[iw] += src[q];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Stride 1 and "same" padding: every unfolded row is the input plane shifted by one flat offset.</summary>
    private static bool IsSameStrideOne(ConvGeometry g) =>
        g.StrideH == 1 && g.StrideW == 1 && g.OutH == g.InH && g.OutW == g.InW && g.PadH < g.InH && g.PadW < g.InW;

    /// <summary>
    /// Row (c, r, s) of the columns is plane c shifted by (r − padH, s − padW): one contiguous copy of the flat plane at
    /// that offset, then the rows that fell off the top or bottom and the column that wrapped around are zeroed.
    /// </summary>
    private static void Im2ColSame<T>(ReadOnlySpan<T> x, Span<T> col, int column, int rowStride, ConvGeometry g)
        where T : unmanaged, INumber<T>
    {
        int h = g.InH, w = g.InW, hw = h * w;
        for (var c = 0; c < g.InChannels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var r = 0; r < g.KernelH; r++)
            {
                var dy = r - g.PadH;
                for (var s = 0; s < g.KernelW; s++)
                {
                    var dx = s - g.PadW;
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * rowStride + column, hw);
                    var shift = dy * w + dx;
                    // row[i] = plane[i + shift] where that index exists
                    int dst0 = Math.Max(0, -shift), src0 = Math.Max(0, shift), len = hw - Math.Abs(shift);
                    row.Slice(0, dst0).Clear();
                    plane.Slice(src0, len).CopyTo(row.Slice(dst0, len));
                    row.Slice(dst0 + len).Clear();
                    ZeroRowsOutsideImage(row, h, w, dy);
                    ZeroWrappedColumns(row, h, w, dx);
                }
            }
        }
    }

    /// <summary>The adjoint: zero the wrapped and out-of-image entries of each column row, then add it back shifted.</summary>
    private static void Col2ImSame<T>(Span<T> col, int column, int rowStride, Span<T> x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.InH, w = g.InW, hw = h * w;
        for (var c = 0; c < g.InChannels; c++)
        {
            var plane = x.Slice(c * hw, hw);
            for (var r = 0; r < g.KernelH; r++)
            {
                var dy = r - g.PadH;
                for (var s = 0; s < g.KernelW; s++)
                {
                    var dx = s - g.PadW;
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * rowStride + column, hw);
                    ZeroWrappedColumns(row, h, w, dx);
                    ZeroRowsOutsideImage(row, h, w, dy);
                    var shift = dy * w + dx;
                    int dst0 = Math.Max(0, -shift), src0 = Math.Max(0, shift), len = hw - Math.Abs(shift);
                    var target = plane.Slice(src0, len);
                    TensorPrimitives.Add(target, row.Slice(dst0, len), target);
                }
            }
        }
    }

    /// <summary>Zeroes the |dy| image rows of a plane shifted by dy rows that lie outside the image (at the bottom for dy &gt; 0, the top for dy &lt; 0).</summary>
    private static void ZeroRowsOutsideImage<T>(Span<T> row, int h, int w, int dy)
        where T : unmanaged, INumber<T>
    {
        if (dy > 0)
        {
            row.Slice((h - dy) * w).Clear();
        }
        else if (dy < 0)
        {
            row.Slice(0, -dy * w).Clear();
        }
    }

    /// <summary>Zeroes, in every image row of a shifted plane, the |dx| entries that came from the neighbouring row.</summary>
    private static void ZeroWrappedColumns<T>(Span<T> row, int h, int w, int dx)
        where T : unmanaged, INumber<T>
    {
        if (dx == 0)
        {
            return;
        }
        for (var p = 0; p < h; p++)
        {
            if (dx > 0)
            {
                row.Slice(p * w + w - dx, dx).Clear();
            }
            else
            {
                row.Slice(p * w, -dx).Clear();
            }
        }
    }
}
