using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution by im2col + GEMM, one sample per task. The weight gradient sums per-sample products in a fixed
/// number of batch chunks, then adds the chunks in order, so results do not depend on thread timing.
/// </summary>
public sealed partial class CpuBackend
{
    private const int FilterChunks = 8;

    public void Conv2dForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        if (x.DType == DType.F32)
        {
            ConvForward<float>(x, w, bias, y, g);
        }
        else
        {
            ConvForward<double>(x, w, bias, y, g);
        }
    }

    public void Conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
    {
        if (dy.DType == DType.F32)
        {
            ConvBackwardData<float>(dy, w, dx, g, accumulate);
        }
        else
        {
            ConvBackwardData<double>(dy, w, dx, g, accumulate);
        }
    }

    public void Conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
    {
        if (x.DType == DType.F32)
        {
            ConvBackwardFilter<float>(x, dy, dw, g, accumulate);
        }
        else
        {
            ConvBackwardFilter<double>(x, dy, dw, g, accumulate);
        }
    }

    private static void ConvForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var ya = ((CpuStorage)y.Storage).Array<T>();
        var ba = bias is null ? null : ((CpuStorage)bias.Storage).Array<T>();
        int xo = (int)x.Offset, wo = (int)w.Offset, yo = (int)y.Offset, bo = (int)(bias?.Offset ?? 0);
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize;
        CpuParallel.For(g.Batch, 1, (n0, n1) =>
        {
            var col = g.IsPointwise ? null : ArrayPool<T>.Shared.Rent(k * outHW);
            try
            {
                for (var n = n0; n < n1; n++)
                {
                    ReadOnlySpan<T> patches;
                    if (col is null)
                    {
                        patches = xa.AsSpan(xo + n * inSize, inSize);
                    }
                    else
                    {
                        Im2Col(xa.AsSpan(xo + n * inSize, inSize), col, g);
                        patches = col;
                    }
                    var yn = ya.AsSpan(yo + n * g.OutChannels * outHW, g.OutChannels * outHW);
                    Cpu.Gemm.Single(false, false, g.OutChannels, outHW, k, T.One, wa.AsSpan(wo), k, patches, outHW, T.Zero, yn, outHW);
                    if (ba is not null)
                    {
                        for (var c = 0; c < g.OutChannels; c++)
                        {
                            TensorPrimitives.Add(yn.Slice(c * outHW, outHW), ba[bo + c], yn.Slice(c * outHW, outHW));
                        }
                    }
                }
            }
            finally
            {
                if (col is not null)
                {
                    ArrayPool<T>.Shared.Return(col);
                }
            }
        });
    }

    private static void ConvBackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var dxa = ((CpuStorage)dx.Storage).Array<T>();
        int dyo = (int)dy.Offset, wo = (int)w.Offset, dxo = (int)dx.Offset;
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize;
        CpuParallel.For(g.Batch, 1, (n0, n1) =>
        {
            var col = ArrayPool<T>.Shared.Rent(k * outHW);
            try
            {
                for (var n = n0; n < n1; n++)
                {
                    var dxn = dxa.AsSpan(dxo + n * inSize, inSize);
                    var dyn = dya.AsSpan(dyo + n * g.OutChannels * outHW, g.OutChannels * outHW);
                    if (g.IsPointwise)
                    {
                        Cpu.Gemm.Single(true, false, k, outHW, g.OutChannels, T.One, wa.AsSpan(wo), k, dyn, outHW, accumulate ? T.One : T.Zero, dxn, outHW);
                        continue;
                    }
                    Cpu.Gemm.Single(true, false, k, outHW, g.OutChannels, T.One, wa.AsSpan(wo), k, dyn, outHW, T.Zero, col.AsSpan(0, k * outHW), outHW);
                    if (!accumulate)
                    {
                        dxn.Clear();
                    }
                    Col2Im(col.AsSpan(0, k * outHW), dxn, g);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(col);
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
        int inSize = g.InChannels * g.InH * g.InW, outHW = g.OutH * g.OutW, k = g.PatchSize;
        var wSize = g.OutChannels * k;
        var chunks = Math.Min(FilterChunks, g.Batch);
        var partials = new T[chunks][];
        CpuParallel.For(chunks, 1, (c0, c1) =>
        {
            var col = g.IsPointwise ? null : ArrayPool<T>.Shared.Rent(k * outHW);
            try
            {
                for (var c = c0; c < c1; c++)
                {
                    var partial = new T[wSize];
                    int start = c * g.Batch / chunks, end = (c + 1) * g.Batch / chunks;
                    for (var n = start; n < end; n++)
                    {
                        ReadOnlySpan<T> patches;
                        if (col is null)
                        {
                            patches = xa.AsSpan(xo + n * inSize, inSize);
                        }
                        else
                        {
                            Im2Col(xa.AsSpan(xo + n * inSize, inSize), col, g);
                            patches = col;
                        }
                        var dyn = dya.AsSpan(dyo + n * g.OutChannels * outHW, g.OutChannels * outHW);
                        Cpu.Gemm.Single(false, true, g.OutChannels, k, outHW, T.One, dyn, outHW, patches, outHW, T.One, partial, k);
                    }
                    partials[c] = partial;
                }
            }
            finally
            {
                if (col is not null)
                {
                    ArrayPool<T>.Shared.Return(col);
                }
            }
        });
        var target = dwa.AsSpan(dwo, wSize);
        if (!accumulate)
        {
            target.Clear();
        }
        foreach (var p in partials)
        {
            TensorPrimitives.Add(target, p, target);
        }
    }

    /// <summary>Unfolds one sample [C, H, W] into columns [C·R·S, P·Q] (zero padding).</summary>
    private static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col, ConvGeometry g)
        where T : unmanaged, INumber<T>
    {
        if (IsSameStrideOne(g))
        {
            Im2ColSame(x, col, g);
            return;
        }
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var r = 0; r < g.KernelH; r++)
            {
                for (var s = 0; s < g.KernelW; s++)
                {
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * outHW, outHW);
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

    /// <summary>Adds columns [C·R·S, P·Q] back into one sample [C, H, W] (the adjoint of Im2Col).</summary>
    private static void Col2Im<T>(Span<T> col, Span<T> x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (IsSameStrideOne(g))
        {
            Col2ImSame(col, x, g);
            return;
        }
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var r = 0; r < g.KernelH; r++)
            {
                for (var s = 0; s < g.KernelW; s++)
                {
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * outHW, outHW);
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
    private static void Im2ColSame<T>(ReadOnlySpan<T> x, Span<T> col, ConvGeometry g)
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
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * hw, hw);
                    var shift = dy * w + dx;
                    // row[i] = plane[i + shift] where that index exists
                    int dst0 = Math.Max(0, -shift), src0 = Math.Max(0, shift), len = hw - Math.Abs(shift);
                    row.Slice(0, dst0).Clear();
                    plane.Slice(src0, len).CopyTo(row.Slice(dst0, len));
                    row.Slice(dst0 + len).Clear();
                    // rows outside the image
                    if (dy > 0)
                    {
                        row.Slice((h - dy) * w).Clear();
                    }
                    else if (dy < 0)
                    {
                        row.Slice(0, -dy * w).Clear();
                    }
                    // columns that wrapped around a row boundary
                    ZeroWrappedColumns(row, h, w, dx);
                }
            }
        }
    }

    /// <summary>The adjoint: zero the wrapped and out-of-image entries of each column row, then add it back shifted.</summary>
    private static void Col2ImSame<T>(Span<T> col, Span<T> x, ConvGeometry g)
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
                    var row = col.Slice(((c * g.KernelH + r) * g.KernelW + s) * hw, hw);
                    ZeroWrappedColumns(row, h, w, dx);
                    if (dy > 0)
                    {
                        row.Slice((h - dy) * w).Clear();
                    }
                    else if (dy < 0)
                    {
                        row.Slice(0, -dy * w).Clear();
                    }
                    var shift = dy * w + dx;
                    int dst0 = Math.Max(0, -shift), src0 = Math.Max(0, shift), len = hw - Math.Abs(shift);
                    var target = plane.Slice(src0, len);
                    TensorPrimitives.Add(target, row.Slice(dst0, len), target);
                }
            }
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
