using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution of stride-1 layers with very few output channels (a UNet's last convolution, C → 1) by direct sums over zero-padded planes: with the planes stored row after row at the padded width
/// wp, tap (r, s) of every output pixel reads the padded input at the same offset r·wp + s from it, so each
/// (output channel, input channel, tap) is one multiply-add of two contiguous runs of OutH·wp elements (the wp − OutW
/// columns past each output row are computed and dropped), summed in a register over all channels and taps. im2col
/// would unfold C·R·S values per pixel for a GEMM with a single row, memory traffic that is all of its cost (measured
/// on image-tiny's 32 → 1 layer at 16x16, batch 32: 6.4 ms for the three passes against about 1 ms). With few input
/// channels instead (the first layer, 1 → C) im2col's columns are small and it stays faster. The weight gradient is a dot product
/// per (k, c, tap) over the samples in sample order; each output element's sum has a fixed order, so results are the
/// same for any thread count.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Output channels up to which stride-1 layers take the direct path.</summary>
    public const int DirectMaxOutChannels = 4;

    /// <summary>Whether <see cref="Conv2dForward"/> and its gradients run the direct path for this geometry (Winograd geometries never do).</summary>
    public static bool UsesDirect(ConvGeometry g) =>
        !UsesWinograd(g) && g.StrideH == 1 && g.StrideW == 1 && g.OutChannels <= DirectMaxOutChannels && !g.IsPointwise;

    /// <summary>Padded plane of one channel: hp rows of wp, plus room for the last tap's run past the end.</summary>
    private readonly record struct DirectPlanes(int Wp, int Hp, int KernelW, int OutH)
    {
        public int Size => Hp * Wp + KernelW;

        /// <summary>Zeros before and after a sample's output gradients in <see cref="SpreadOutputGradient{T}"/>: the farthest tap's offset and a vector.</summary>
        public int Margin(int kernelH) => (kernelH - 1) * Wp + KernelW - 1 + 8;

        /// <summary>Elements of one output channel's spread gradients: margin, run, margin.</summary>
        public int Spread(int kernelH) => Run + 2 * Margin(kernelH);

        /// <summary>Length of one tap's run: the output rows at the padded width.</summary>
        public int Run => OutH * Wp;

        public static DirectPlanes Of(ConvGeometry g) => new(g.InW + 2 * g.PadW, g.InH + 2 * g.PadH, g.KernelW, g.OutH);
    }

    /// <summary>Copies channel planes [channels, h, w] into zero-padded planes (row h at row h + padH, column w at w + padW, stride wp).</summary>
    private static void PadPlanes<T>(ReadOnlySpan<T> x, int channels, int h, int w, int padH, int padW, Span<T> padded, int wp, int size)
    {
        padded.Slice(0, channels * size).Clear();
        for (var c = 0; c < channels; c++)
        {
            for (var r = 0; r < h; r++)
            {
                x.Slice((c * h + r) * w, w).CopyTo(padded.Slice(c * size + (r + padH) * wp + padW, w));
            }
        }
    }

    private static int DirectGrain(ConvGeometry g, int items) =>
        CpuParallel.GrainForElements(items, (long)g.InChannels * g.OutChannels * g.KernelH * g.KernelW * g.OutH * g.OutW * g.Batch / Math.Max(1, items) / 8);

    private static void DirectForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var ya = ((CpuStorage)y.Storage).Array<T>();
        var ba = bias is null ? null : ((CpuStorage)bias.Storage).Array<T>();
        int xo = (int)x.Offset, wo = (int)w.Offset, yo = (int)y.Offset, bo = (int)(bias?.Offset ?? 0);
        int c = g.InChannels, k = g.OutChannels, taps = g.KernelH * g.KernelW, inHW = g.InH * g.InW, outHW = g.OutH * g.OutW;
        var p = DirectPlanes.Of(g);
        CpuParallel.For(g.Batch, DirectGrain(g, g.Batch), (n0, n1) =>
        {
            var padded = ArrayPool<T>.Shared.Rent(c * p.Size + Vector256<T>.Count);
            var acc = ArrayPool<T>.Shared.Rent(p.Run + Vector256<T>.Count);
            try
            {
                for (var n = n0; n < n1; n++)
                {
                    PadPlanes<T>(xa.AsSpan(xo + n * c * inHW, c * inHW), c, g.InH, g.InW, g.PadH, g.PadW, padded, p.Wp, p.Size);
                    for (var o = 0; o < k; o++)
                    {
                        var sum = acc.AsSpan(0, p.Run);
                        SumTaps(padded, p.Size, wa, wo + o * c * taps, c, g, p, ba is null ? T.Zero : ba[bo + o], acc);
                        var yn = ya.AsSpan(yo + (n * k + o) * outHW, outHW);
                        for (var r = 0; r < g.OutH; r++)
                        {
                            sum.Slice(r * p.Wp, g.OutW).CopyTo(yn.Slice(r * g.OutW, g.OutW));
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(padded);
                ArrayPool<T>.Shared.Return(acc);
            }
        });
    }

    /// <summary>
    /// out[v] = b + Σ_i Σ_tap w[i, tap]·planes[i·size + offset(tap) + v] for v in [0, run), a vector of v at a time with
    /// the sum in a register (writes up to one vector past the run; reads up to one vector past the last plane's run).
    /// </summary>
    private static void SumTaps<T>(T[] planes, int size, T[] wa, int w0, int channels, ConvGeometry g, DirectPlanes p, T b, T[] output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int taps = g.KernelH * g.KernelW, lanes = Vector256<T>.Count;
        ref var pr = ref MemoryMarshal.GetArrayDataReference(planes);
        ref var orf = ref MemoryMarshal.GetArrayDataReference(output);
        Span<int> offsets = stackalloc int[taps];
        for (var t = 0; t < taps; t++)
        {
            offsets[t] = t / g.KernelW * p.Wp + t % g.KernelW;
        }
        for (var v = 0; v < p.Run; v += lanes)
        {
            var acc = Vector256.Create(b);
            for (var i = 0; i < channels; i++)
            {
                ref var plane = ref Unsafe.Add(ref pr, i * size + v);
                for (var t = 0; t < taps; t++)
                {
                    acc += Vector256.Create(wa[w0 + i * taps + t]) * Vector256.LoadUnsafe(ref plane, (nuint)offsets[t]);
                }
            }
            acc.StoreUnsafe(ref orf, (nuint)v);
        }
    }

    /// <summary>acc[u] = Σ_o Σ_tap w[o, tap]·spread_o[margin + u − offset(tap)] for u in [0, hp·wp), a vector of u at a time.</summary>
    private static void GatherTaps<T>(T[] spread, T[] wa, int w0, int wStride, int channels, ConvGeometry g, DirectPlanes p, T[] acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int taps = g.KernelH * g.KernelW, lanes = Vector256<T>.Count, length = p.Spread(g.KernelH), margin = p.Margin(g.KernelH);
        ref var sr = ref MemoryMarshal.GetArrayDataReference(spread);
        ref var ar = ref MemoryMarshal.GetArrayDataReference(acc);
        Span<int> offsets = stackalloc int[taps];
        for (var t = 0; t < taps; t++)
        {
            offsets[t] = margin - (t / g.KernelW * p.Wp + t % g.KernelW);
        }
        var end = p.Hp * p.Wp;
        for (var u = 0; u < end; u += lanes)
        {
            var sum = Vector256<T>.Zero;
            for (var o = 0; o < channels; o++)
            {
                ref var grads = ref Unsafe.Add(ref sr, o * length + u);
                for (var t = 0; t < taps; t++)
                {
                    sum += Vector256.Create(wa[w0 + o * wStride + t]) * Vector256.LoadUnsafe(ref grads, (nuint)offsets[t]);
                }
            }
            sum.StoreUnsafe(ref ar, (nuint)u);
        }
    }

    /// <summary>
    /// dY of one sample in the runs' layout: per output channel, <see cref="DirectPlanes.Margin"/> zeros, the OutH rows
    /// at the padded width (zero past each row's OutW columns), and the margin again.
    /// </summary>
    private static void SpreadOutputGradient<T>(ReadOnlySpan<T> dy, int k, ConvGeometry g, DirectPlanes p, Span<T> spread)
    {
        int length = p.Spread(g.KernelH), margin = p.Margin(g.KernelH);
        spread.Slice(0, k * length).Clear();
        for (var o = 0; o < k; o++)
        {
            for (var r = 0; r < g.OutH; r++)
            {
                dy.Slice((o * g.OutH + r) * g.OutW, g.OutW).CopyTo(spread.Slice(o * length + margin + r * p.Wp, g.OutW));
            }
        }
    }

    private static void DirectBackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var wa = ((CpuStorage)w.Storage).Array<T>();
        var dxa = ((CpuStorage)dx.Storage).Array<T>();
        int dyo = (int)dy.Offset, wo = (int)w.Offset, dxo = (int)dx.Offset;
        int c = g.InChannels, k = g.OutChannels, taps = g.KernelH * g.KernelW, inHW = g.InH * g.InW, outHW = g.OutH * g.OutW;
        var p = DirectPlanes.Of(g);
        CpuParallel.For(g.Batch, DirectGrain(g, g.Batch), (n0, n1) =>
        {
            var spread = ArrayPool<T>.Shared.Rent(k * p.Spread(g.KernelH));
            var acc = ArrayPool<T>.Shared.Rent(p.Size + Vector256<T>.Count);
            try
            {
                for (var n = n0; n < n1; n++)
                {
                    SpreadOutputGradient<T>(dya.AsSpan(dyo + n * k * outHW, k * outHW), k, g, p, spread);
                    for (var i = 0; i < c; i++)
                    {
                        // the padded plane's gradient: u gets Σ_o Σ_tap w[o, i, tap]·dY_o[u − offset(tap)] (the transpose of the forward's reads)
                        GatherTaps(spread, wa, wo + i * taps, c * taps, k, g, p, acc);
                        var dxn = dxa.AsSpan(dxo + (n * c + i) * inHW, inHW);
                        for (var r = 0; r < g.InH; r++)
                        {
                            var from = acc.AsSpan((r + g.PadH) * p.Wp + g.PadW, g.InW);
                            var to = dxn.Slice(r * g.InW, g.InW);
                            if (accumulate)
                            {
                                TensorPrimitives.Add(to, from, to);
                            }
                            else
                            {
                                from.CopyTo(to);
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(spread);
                ArrayPool<T>.Shared.Return(acc);
            }
        });
    }

    private static void DirectBackwardFilter<T>(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var dwa = ((CpuStorage)dw.Storage).Array<T>();
        int xo = (int)x.Offset, dyo = (int)dy.Offset, dwo = (int)dw.Offset;
        int c = g.InChannels, k = g.OutChannels, taps = g.KernelH * g.KernelW, inHW = g.InH * g.InW, outHW = g.OutH * g.OutW;
        var p = DirectPlanes.Of(g);
        var padded = ArrayPool<T>.Shared.Rent(g.Batch * c * p.Size + Vector256<T>.Count);
        var length = p.Spread(g.KernelH);
        var spread = ArrayPool<T>.Shared.Rent(g.Batch * k * length);
        try
        {
            CpuParallel.For(g.Batch, CpuParallel.GrainForElements(g.Batch, (long)c * p.Size + k * length), (n0, n1) =>
            {
                for (var n = n0; n < n1; n++)
                {
                    PadPlanes<T>(xa.AsSpan(xo + n * c * inHW, c * inHW), c, g.InH, g.InW, g.PadH, g.PadW, padded.AsSpan(n * c * p.Size), p.Wp, p.Size);
                    SpreadOutputGradient<T>(dya.AsSpan(dyo + n * k * outHW, k * outHW), k, g, p, spread.AsSpan(n * k * length));
                }
            });
            // dw[o, i, tap] = Σ_n Σ_v dY_n,o[v]·x_n,i[offset(tap) + v], the samples added in order
            var margin = p.Margin(g.KernelH);
            CpuParallel.For(k * c, DirectGrain(g, k * c), (a0, a1) =>
            {
                Span<T> sums = stackalloc T[taps];
                for (var a = a0; a < a1; a++)
                {
                    int o = a / c, i = a % c;
                    sums.Clear();
                    for (var n = 0; n < g.Batch; n++)
                    {
                        TapDots(spread.AsSpan((n * k + o) * length + margin, p.Run), padded, (n * c + i) * p.Size, g, p, sums);
                    }
                    for (var t = 0; t < taps; t++)
                    {
                        ref var slot = ref dwa[dwo + a * taps + t];
                        slot = accumulate ? slot + sums[t] : sums[t];
                    }
                }
            });
        }
        finally
        {
            ArrayPool<T>.Shared.Return(padded);
            ArrayPool<T>.Shared.Return(spread);
        }
    }

    /// <summary>
    /// sums[tap] += Σ_v grads[v]·plane[offset(tap) + v] for every tap at once (nine accumulators for a 3x3 kernel share
    /// each load of the gradients); the summation order depends on the run's length alone, never on addresses.
    /// </summary>
    private static void TapDots<T>(ReadOnlySpan<T> grads, T[] planes, int plane, ConvGeometry g, DirectPlanes p, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int taps = g.KernelH * g.KernelW, lanes = Vector256<T>.Count, run = grads.Length;
        ref var gr = ref MemoryMarshal.GetReference(grads);
        ref var pr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(planes), plane);
        Span<int> offsets = stackalloc int[taps];
        for (var t = 0; t < taps; t++)
        {
            offsets[t] = t / g.KernelW * p.Wp + t % g.KernelW;
        }
        for (var t0 = 0; t0 < taps; t0 += 9)
        {
            var count = Math.Min(9, taps - t0);
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default;
            var v = 0;
            for (; v + lanes <= run; v += lanes)
            {
                var d = Vector256.LoadUnsafe(ref gr, (nuint)v);
                ref var x = ref Unsafe.Add(ref pr, v);
                a0 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0]);
                if (count > 1) a1 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 1]);
                if (count > 2) a2 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 2]);
                if (count > 3) a3 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 3]);
                if (count > 4) a4 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 4]);
                if (count > 5) a5 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 5]);
                if (count > 6) a6 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 6]);
                if (count > 7) a7 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 7]);
                if (count > 8) a8 += d * Vector256.LoadUnsafe(ref x, (nuint)offsets[t0 + 8]);
            }
            Span<Vector256<T>> acc = [a0, a1, a2, a3, a4, a5, a6, a7, a8];
            for (var t = 0; t < count; t++)
            {
                var sum = Vector256.Sum(acc[t]);
                for (var u = v; u < run; u++)
                {
                    sum += grads[u] * planes[plane + offsets[t0 + t] + u];
                }
                sums[t0 + t] += sum;
            }
        }
    }
}
