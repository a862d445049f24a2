using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution of 3x3 stride-1 layers by Winograd's F(4x4, 3x3) (Lavin and Gray, 2016; interpolation points 0,
/// ±1, ±2, ∞): each 4x4 output tile is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of the 6x6 input tile d that covers it, so a layer is
/// 36 GEMMs [K, C]·[C, tiles] with 36 multiplies per 16 outputs and input channel (2.25 per output, against 4 for
/// F(2x2, 3x3) and 9 for im2col). The transforms work on 512-bit vectors whose lanes are tiles: a chunk's tiles are
/// numbered tile row first, then sample, then tile column (ti, j, tj), so the tiles of one tile row of every sample
/// of the chunk lie side by side. The input is first unpacked, per channel, into six column-shifted copies
/// (q_s[h, j·tw + tj] = x_j[h, 4·tj + s], zero outside the image), from which each 6x6 tile is six vector loads per
/// row. The input gradient runs the same algorithm on dY with the flipped, channel-swapped weights (padding 2 − p);
/// the weight gradient is the exact adjoint of the forward computation, dg = Gᵀ(Σ_tiles (A dY Aᵀ) ⊙ V)G. Chunks of
/// samples depend only on the geometry and the weight gradient adds their sums in chunk order, so results are the
/// same for any thread count. Accuracy (float32 against a float64 direct convolution, image-tiny's layers at batch
/// 32): about 2e-6 of the output's RMS and at most 1.1e-5 of its largest magnitude, against 3e-7 and 6e-7 for
/// F(2x2, 3x3); in float64 within 2e-14.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>
    /// Smallest output height and width for which <see cref="UsesWinograd4"/> picks F(4x4, 3x3) over F(2x2, 3x3):
    /// below it most of a 6x6 tile is padding.
    /// </summary>
    public const int Winograd4MinOutput = 8;

    /// <summary>
    /// Whether a Winograd geometry (<see cref="UsesWinograd"/>) runs F(4x4, 3x3): outputs of at least
    /// <see cref="Winograd4MinOutput"/> in both axes, input and output rows of at most <see cref="Winograd4MaxWidth"/>
    /// (a row is one 512-bit register in the unpacking and the scatter), on a CPU with 512-bit vectors.
    /// </summary>
    public static bool UsesWinograd4(ConvGeometry g) =>
        UsesWinograd(g) && !Winograd4Disabled && Vector512.IsHardwareAccelerated && g.OutH >= Winograd4MinOutput && g.OutW >= Winograd4MinOutput &&
        g.InW <= Winograd4MaxWidth && g.OutW <= Winograd4MaxWidth;

    /// <summary>
    /// Widest input and output rows F(4x4, 3x3) takes: the unpacking and the scatter handle a row in one 512-bit register
    /// (16 floats); wider images (an Inception network's 35 to 147) keep F(2x2, 3x3), which runs any width on vectors.
    /// </summary>
    public const int Winograd4MaxWidth = 16;

    /// <summary>Forces F(2x2, 3x3) where F(4x4, 3x3) would run (to time or compare the two in one process).</summary>
    public static bool Winograd4Disabled { get; set; }

    /// <summary>Tiles of one chunk of <paramref name="Samples"/> samples (th × tw 4x4 output tiles each) and the scratch rows that hold them.</summary>
    private readonly record struct Winograd4Tiles(int Th, int Tw, int Samples)
    {
        /// <summary>Padded input rows a sample's tiles read: 4·th + 2.</summary>
        public int Hp => 4 * Th + 2;

        /// <summary>Tiles of one tile row across the chunk's samples: the lanes the transforms run over.</summary>
        public int Lanes => Samples * Tw;

        /// <summary>Stride of a scratch row: the lanes, then room for a vector read or written past them.</summary>
        public int Row => Lanes + 16;

        /// <summary>Tiles of the chunk (the GEMMs' column count).</summary>
        public int Columns => Samples * Th * Tw;

        public static Winograd4Tiles Of(ConvGeometry g, int samples) => new((g.OutH + 3) / 4, (g.OutW + 3) / 4, samples);
    }

    /// <summary>
    /// Floats of one transformed operand per chunk ([36, channels, tiles]), about 1 MiB: measured on image-tiny's 8x8 and
    /// 16x16 layers against 1/4, 1/2, 2 and 4 times as much (the GEMMs' column count against the cache).
    /// </summary>
    private const long Winograd4Budget = 1 << 18;

    /// <summary>
    /// The weight gradient's budget: its GEMMs sum over the chunk's tiles and each chunk writes a [36, K, C] partial sum,
    /// so it gains from larger chunks (measured on 16x16 layers: 4 MiB about 20% faster than 1 MiB).
    /// </summary>
    private const long Winograd4FilterBudget = 1 << 20;

    private static (int PerChunk, int Chunks) Winograd4Chunks(ConvGeometry g, long budget)
    {
        var t = Winograd4Tiles.Of(g, 1);
        var perSample = 36L * Math.Max(g.InChannels, g.OutChannels) * t.Th * t.Tw;
        var perChunk = (int)Math.Clamp(budget / Math.Max(1, perSample), 1, g.Batch);
        perChunk = Math.Max(1, Math.Min(perChunk, (g.Batch + MinChunks - 1) / MinChunks));
        return (perChunk, (g.Batch + perChunk - 1) / perChunk);
    }

    private static int Winograd4Grain(ConvGeometry g, int perChunk, int chunks) =>
        CpuParallel.GrainForElements(chunks, (long)perChunk * g.OutH * g.OutW * 36 / 16 * g.InChannels * g.OutChannels / 32);

    private static void Winograd4Forward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = TransformWeights4<T>(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, g.OutChannels * g.InChannels * 9), g.OutChannels, g.InChannels, flipSwap: false);
        Winograd4Convolve(((CpuStorage)x.Storage).Array<T>(), (int)x.Offset, u, bias is null ? null : ((CpuStorage)bias.Storage).Array<T>(), (int)(bias?.Offset ?? 0),
            ((CpuStorage)y.Storage).Array<T>(), (int)y.Offset, g, accumulate: false);
        ArrayPool<T>.Shared.Return(u);
    }

    /// <summary>The input gradient: the forward F(4x4, 3x3) convolution of dY with the flipped, channel-swapped weights, padding 2 − p.</summary>
    private static void Winograd4BackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels;
        var u = TransformWeights4<T>(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, k * c * 9), k, c, flipSwap: true);
        Winograd4Convolve(((CpuStorage)dy.Storage).Array<T>(), (int)dy.Offset, u, null, 0, ((CpuStorage)dx.Storage).Array<T>(), (int)dx.Offset, AdjointGeometry(g), accumulate);
        ArrayPool<T>.Shared.Return(u);
    }

    /// <summary>y (+)= conv(x, g) + bias by F(4x4, 3x3), the weights already transformed (<paramref name="u"/> [36, K, C], planes <see cref="WeightPlane{T}"/> apart).</summary>
    private static void Winograd4Convolve<T>(T[] xa, int xo, T[] u, T[]? ba, int bo, T[] ya, int yo, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, plane = WeightPlane<T>(k, c);
        var (perChunk, chunks) = Winograd4Chunks(g, Winograd4Budget);
        var full = Winograd4Tiles.Of(g, perChunk);
        ForEachWinogradChunk<T>(g.Batch, perChunk, chunks, Winograd4Grain(g, perChunk, chunks),
            36 * (c * full.Columns + 16), 36 * (k * full.Columns + 16), Winograd4Scratch(full), (_, n0, m, v, mm, scratch) =>
        {
            var tiles = Winograd4Tiles.Of(g, m);
            int tc = tiles.Columns, vStride = c * tc + 16, mStride = k * tc + 16;
            TransformInput4(xa, xo, n0, v, vStride, scratch, g, tiles);
            for (var xi = 0; xi < 36; xi++)
            {
                Cpu.Gemm.Single(false, false, k, tc, c, T.One, u.AsSpan(xi * plane, k * c), c, v.AsSpan(xi * vStride, c * tc), tc, T.Zero, mm.AsSpan(xi * mStride, k * tc), tc);
            }
            TransformOutput4(mm, mStride, ya, yo, ba, bo, n0, scratch, accumulate, g, tiles);
        });
    }

    /// <summary>Scratch of one thread: the six shifted copies of a channel's padded rows, or sixteen rows of tile outputs per tile row.</summary>
    private static int Winograd4Scratch(Winograd4Tiles tiles) => Math.Max(6 * tiles.Hp, 16 * tiles.Th) * tiles.Row + 16;

    private static void Winograd4BackwardFilter<T>(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        int xo = (int)x.Offset, dyo = (int)dy.Offset;
        int c = g.InChannels, k = g.OutChannels, plane = WeightPlane<T>(k, c);
        var (perChunk, chunks) = Winograd4Chunks(g, Winograd4FilterBudget);
        var full = Winograd4Tiles.Of(g, perChunk);
        var partials = new T[chunks][];
        ForEachWinogradChunk<T>(g.Batch, perChunk, chunks, Winograd4Grain(g, perChunk, chunks),
            36 * (c * full.Columns + 16), 36 * (k * full.Columns + 16), Winograd4Scratch(full), (ch, n0, m, v, dm, scratch) =>
        {
            var tiles = Winograd4Tiles.Of(g, m);
            int tc = tiles.Columns, vStride = c * tc + 16, mStride = k * tc + 16;
            TransformInput4(xa, xo, n0, v, vStride, scratch, g, tiles);
            TransformOutputAdjoint4(dya, dyo, n0, dm, mStride, scratch, g, tiles);
            // the chunk's sum over its tiles: dU_ξ [K, C] = dM_ξ [K, tiles] · V_ξᵀ [tiles, C]
            var partial = ArrayPool<T>.Shared.Rent(36 * plane);
            for (var xi = 0; xi < 36; xi++)
            {
                Cpu.Gemm.Single(false, true, k, c, tc, T.One, dm.AsSpan(xi * mStride, k * tc), tc, v.AsSpan(xi * vStride, c * tc), tc, T.Zero, partial.AsSpan(xi * plane, k * c), c);
            }
            partials[ch] = partial;
        });
 var du = partials[0].AsSpan(0, 36 * plane);
        for (var ch = 1; ch < chunks; ch++)
        {
            TensorPrimitives.Add(du, partials[ch].AsSpan(0, 36 * plane), du);
            ArrayPool<T>.Shared.Return(partials[ch]);
        }
        TransformWeightsAdjoint4<T>(partials[0], ((CpuStorage)dw.Storage).Array<T>().AsSpan((int)dw.Offset, k * c * 9), k, c, accumulate);
        ArrayPool<T>.Shared.Return(partials[0]);
    }

    /// <summary>
    /// Elements between consecutive planes of the transformed weights (and of their gradient): K·C rounded up to whole
    /// 512-bit vectors, plus one: with K·C a power of two the 36 planes would otherwise map to the same cache sets.
    /// </summary>
    private static int WeightPlane<T>(int k, int c) => ((k * c + Vector512<T>.Count - 1) / Vector512<T>.Count + 1) * Vector512<T>.Count;

    /// <summary>G (6x3) applied to three vectors: (g0/4, −(g0 + g1 + g2)/6, −(g0 − g1 + g2)/6, g0/24 + g1/12 + g2/6, g0/24 − g1/12 + g2/6, g2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterTransform4<T>(Vector512<T> g0, Vector512<T> g1, Vector512<T> g2,
        out Vector512<T> r0, out Vector512<T> r1, out Vector512<T> r2, out Vector512<T> r3, out Vector512<T> r4, out Vector512<T> r5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T quarter = T.CreateTruncating(0.25), sixth = T.One / T.CreateTruncating(6), twelfth = T.One / T.CreateTruncating(12), twentyFourth = T.One / T.CreateTruncating(24);
        Vector512<T> s02 = g0 + g2, e02 = g0 * twentyFourth + g2 * sixth, e1 = g1 * twelfth;
        r0 = g0 * quarter;
        r1 = (s02 + g1) * -sixth;
        r2 = (s02 - g1) * -sixth;
        r3 = e02 + e1;
        r4 = e02 - e1;
        r5 = g2;
    }

    /// <summary>Gᵀ (3x6) applied to six vectors: the adjoint of <see cref="FilterTransform4{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterTransformAdjoint4<T>(Vector512<T> d0, Vector512<T> d1, Vector512<T> d2, Vector512<T> d3, Vector512<T> d4, Vector512<T> d5,
        out Vector512<T> r0, out Vector512<T> r1, out Vector512<T> r2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T quarter = T.CreateTruncating(0.25), sixth = T.One / T.CreateTruncating(6), twelfth = T.One / T.CreateTruncating(12), twentyFourth = T.One / T.CreateTruncating(24);
        Vector512<T> s12 = d1 + d2, s34 = d3 + d4;
        r0 = d0 * quarter - s12 * sixth + s34 * twentyFourth;
        r1 = (d2 - d1) * sixth + (d3 - d4) * twelfth;
        r2 = (s34 - s12) * sixth + d5;
    }

    /// <summary>
    /// U_ξ = (G g Gᵀ)_ξ for every (k, c): [36, K, C] with planes <see cref="WeightPlane{T}"/> apart, in an array rented
    /// from the shared pool (the caller returns it). With <paramref name="flipSwap"/> the weights are first flipped in
    /// both spatial axes and their channel axes swapped (the input gradient's weights, [C, K, 3, 3]).
    /// </summary>
    private static T[] TransformWeights4<T>(ReadOnlySpan<T> w, int k, int c, bool flipSwap)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plane = WeightPlane<T>(k, c);
        // the nine taps as rows [9, plane] (lane = filter), so the transform runs on whole vectors of filters
        var taps = ArrayPool<T>.Shared.Rent(9 * plane);
        if (typeof(T) == typeof(float) && Avx2.IsSupported)
        {
            GatherTaps(MemoryMarshal.Cast<T, float>(w), MemoryMarshal.Cast<T, float>(taps.AsSpan()), k, c, plane, flipSwap);
        }
        else
        {
            ref var wr = ref MemoryMarshal.GetReference(w);
            ref var tw = ref MemoryMarshal.GetArrayDataReference(taps);
            for (var o = 0; o < k; o++)
            {
                for (var i = 0; i < c; i++)
                {
                    ref var f = ref Unsafe.Add(ref wr, (o * c + i) * 9);
                    ref var t0 = ref Unsafe.Add(ref tw, flipSwap ? i * k + o : o * c + i);
                    for (var r = 0; r < 9; r++)
                    {
                        Unsafe.Add(ref t0, (flipSwap ? 8 - r : r) * plane) = Unsafe.Add(ref f, r);
                    }
                }
            }
        }
        var u = ArrayPool<T>.Shared.Rent(36 * plane);
        ref var tr = ref MemoryMarshal.GetArrayDataReference(taps);
        ref var ur = ref MemoryMarshal.GetArrayDataReference(u);
        var p = (nuint)plane;
        Span<Vector512<T>> t = stackalloc Vector512<T>[18];
        for (nuint at = 0; at < p; at += (nuint)Vector512<T>.Count)
        {
            // down the columns: t[a, s] = (G g)[a, s]; then along the rows: U[a, b] = (t Gᵀ)[a, b]
            for (var s = 0; s < 3; s++)
            {
                FilterTransform4(Vector512.LoadUnsafe(ref tr, at + (nuint)s * p), Vector512.LoadUnsafe(ref tr, at + (nuint)(3 + s) * p), Vector512.LoadUnsafe(ref tr, at + (nuint)(6 + s) * p),
                    out t[s], out t[3 + s], out t[6 + s], out t[9 + s], out t[12 + s], out t[15 + s]);
            }
            for (var a = 0; a < 6; a++)
            {
                FilterTransform4(t[3 * a], t[3 * a + 1], t[3 * a + 2], out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
                var row = at + (nuint)(6 * a) * p;
                u0.StoreUnsafe(ref ur, row);
                u1.StoreUnsafe(ref ur, row + p);
                u2.StoreUnsafe(ref ur, row + 2 * p);
                u3.StoreUnsafe(ref ur, row + 3 * p);
                u4.StoreUnsafe(ref ur, row + 4 * p);
                u5.StoreUnsafe(ref ur, row + 5 * p);
            }
        }
        ArrayPool<T>.Shared.Return(taps);
        return u;
    }

    /// <summary>
    /// taps[r, at] = tap r of filter at (flipped and channel-swapped: tap 8 − r of filter (o, i) for at = i·K + o) by
    /// 8-lane gathers, a vector of filters per tap; lanes past the K·C filters repeat the last one.
    /// </summary>
    private static unsafe void GatherTaps(ReadOnlySpan<float> w, Span<float> taps, int k, int c, int plane, bool flipSwap)
    {
        var filters = k * c;
        var source = ArrayPool<int>.Shared.Rent(plane);
        for (var at = 0; at < plane; at++)
        {
            var f = Math.Min(at, filters - 1);
            source[at] = 9 * (flipSwap ? f % k * c + f / k : f);
        }
        fixed (float* wp = w)
        fixed (float* tp = taps)
        fixed (int* sp = source)
        {
            for (var at = 0; at < plane; at += 8)
            {
                var index = Avx.LoadVector256(sp + at);
                for (var r = 0; r < 9; r++)
                {
                    var tap = Avx2.GatherVector256(wp + r, index, 4);
                    Avx.Store(tp + (flipSwap ? 8 - r : r) * plane + at, tap);
                }
            }
        }
        ArrayPool<int>.Shared.Return(source);
    }

    /// <summary>dw (+)= Gᵀ dU G for every (k, c), dU [36, K, C] with planes <see cref="WeightPlane{T}"/> apart: the adjoint of <see cref="TransformWeights4{T}"/>.</summary>
    private static void TransformWeightsAdjoint4<T>(T[] du, Span<T> dw, int k, int c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plane = WeightPlane<T>(k, c);
        var taps = ArrayPool<T>.Shared.Rent(9 * plane);
        ref var tr = ref MemoryMarshal.GetArrayDataReference(taps);
        ref var dr = ref MemoryMarshal.GetArrayDataReference(du);
        var p = (nuint)plane;
        Span<Vector512<T>> t = stackalloc Vector512<T>[18];
        for (nuint at = 0; at < p; at += (nuint)Vector512<T>.Count)
        {
            // along the rows first (the adjoint of the forward's last step), then down the columns
            for (var a = 0; a < 6; a++)
            {
                var row = at + (nuint)(6 * a) * p;
                FilterTransformAdjoint4(Vector512.LoadUnsafe(ref dr, row), Vector512.LoadUnsafe(ref dr, row + p), Vector512.LoadUnsafe(ref dr, row + 2 * p),
                    Vector512.LoadUnsafe(ref dr, row + 3 * p), Vector512.LoadUnsafe(ref dr, row + 4 * p), Vector512.LoadUnsafe(ref dr, row + 5 * p),
                    out t[3 * a], out t[3 * a + 1], out t[3 * a + 2]);
            }
            for (var s = 0; s < 3; s++)
            {
                FilterTransformAdjoint4(t[s], t[3 + s], t[6 + s], t[9 + s], t[12 + s], t[15 + s], out var r0, out var r1, out var r2);
                r0.StoreUnsafe(ref tr, at + (nuint)s * p);
                r1.StoreUnsafe(ref tr, at + (nuint)(3 + s) * p);
                r2.StoreUnsafe(ref tr, at + (nuint)(6 + s) * p);
            }
        }
        for (var at = 0; at < k * c; at++)
        {
            var f = dw.Slice(at * 9, 9);
            for (var r = 0; r < 9; r++)
            {
                f[r] = accumulate ? f[r] + taps[r * plane + at] : taps[r * plane + at];
            }
        }
        ArrayPool<T>.Shared.Return(taps);
    }

    /// <summary>Bᵀ (6x6) applied to six vectors: (4x0 − 5x2 + x4, −4(x1 + x2) + x3 + x4, 4(x1 − x2) − x3 + x4, 2(x3 − x1) − x2 + x4, 2(x1 − x3) − x2 + x4, 4x1 − 5x3 + x5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTransform4<T>(Vector512<T> x0, Vector512<T> x1, Vector512<T> x2, Vector512<T> x3, Vector512<T> x4, Vector512<T> x5,
        out Vector512<T> b0, out Vector512<T> b1, out Vector512<T> b2, out Vector512<T> b3, out Vector512<T> b4, out Vector512<T> b5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2), four = T.CreateTruncating(4), five = T.CreateTruncating(5);
        Vector512<T> s12 = x1 + x2, d12 = x1 - x2, s34 = x3 + x4, d43 = x4 - x3, d42 = x4 - x2, d31 = x3 - x1;
        b0 = x0 * four - x2 * five + x4;
        b1 = s34 - s12 * four;
        b2 = d43 + d12 * four;
        b3 = d42 + d31 * two;
        b4 = d42 - d31 * two;
        b5 = x1 * four - x3 * five + x5;
    }

    /// <summary>Aᵀ (4x6) applied to six vectors: (m0 + m1 + m2 + m3 + m4, m1 − m2 + 2(m3 − m4), m1 + m2 + 4(m3 + m4), m1 − m2 + 8(m3 − m4) + m5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransform4<T>(Vector512<T> m0, Vector512<T> m1, Vector512<T> m2, Vector512<T> m3, Vector512<T> m4, Vector512<T> m5,
        out Vector512<T> o0, out Vector512<T> o1, out Vector512<T> o2, out Vector512<T> o3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2), four = T.CreateTruncating(4), eight = T.CreateTruncating(8);
        Vector512<T> s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
        o0 = m0 + s12 + s34;
        o1 = d12 + d34 * two;
        o2 = s12 + s34 * four;
        o3 = d12 + d34 * eight + m5;
    }

    /// <summary>A (6x4) applied to four vectors, the adjoint of <see cref="OutputTransform4{T}"/>: (y0, y0 + y1 + y2 + y3, y0 − y1 + y2 − y3, y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransformAdjoint4<T>(Vector512<T> y0, Vector512<T> y1, Vector512<T> y2, Vector512<T> y3,
        out Vector512<T> a0, out Vector512<T> a1, out Vector512<T> a2, out Vector512<T> a3, out Vector512<T> a4, out Vector512<T> a5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateTruncating(2), four = T.CreateTruncating(4), eight = T.CreateTruncating(8);
        Vector512<T> s02 = y0 + y2, s13 = y1 + y3, e02 = y0 + y2 * four, e13 = y1 * two + y3 * eight;
        a0 = y0;
        a1 = s02 + s13;
        a2 = s02 - s13;
        a3 = e02 + e13;
        a4 = e02 - e13;
        a5 = y3;
    }

    // Scratch layouts (rows of Winograd4Tiles.Row elements, lanes j·tw + tj of the chunk's sample j and tile column tj):
    // the input's shifted copies q_s at rows s·hp + h; the tile outputs (or output gradients) of one tile row at rows
    // 4p + q. Transformed operands: plane ξ of V (or M) at ξ·stride; channel c's tiles at c·tiles, tile row ti at ti·lanes.
    // The transforms work on whole vectors of lanes: a vector that runs past a tile row writes values that the next tile
    // row (or channel, processed later) overwrites, or that land in the room at the plane's end; reads past a row's lanes
    // (room, possibly stale) only feed lanes whose results are discarded.

    /// <summary>V_ξ [C, tiles] = (Bᵀ d B)_ξ of every 6x6 input tile d of the chunk's samples.</summary>
    private static void TransformInput4<T>(T[] xa, int xo, int n0, T[] v, int vStride, T[] scratch, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, hw = g.InH * g.InW, row = tiles.Row, hp = tiles.Hp, lanes = tiles.Lanes, tc = tiles.Columns;
        // rows of the padding are never written below: clear them (and the rest) once for the chunk
        scratch.AsSpan(0, 6 * hp * row).Clear();
        ref var qr = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref var vr = ref MemoryMarshal.GetArrayDataReference(v);
        var s = (nuint)vStride;
        var width = (nuint)Vector512<T>.Count;
        Span<Vector512<T>> t = stackalloc Vector512<T>[36];
        var vectorShift = typeof(T) == typeof(float) && Avx512F.IsSupported && g.InW <= 16 && tiles.Tw <= 4;
        Span<Vector512<int>> shifts = stackalloc Vector512<int>[6];
        if (vectorShift)
        {
            ShiftIndices(shifts, g);
        }
        // rows of 16 (four tiles a row): four samples' rows at once, each shifted copy one full 512-bit store
        var fourSamples = vectorShift && g.InW == 16 && tiles.Tw == 4;
        Span<Vector512<int>> pairShifts = stackalloc Vector512<int>[6];
        Span<Vector512<float>> pairMasks = stackalloc Vector512<float>[6];
        if (fourSamples)
        {
            PairShiftIndices(pairShifts, pairMasks, g);
        }
        for (var ci = 0; ci < c; ci++)
        {
            var j = 0;
            if (fourSamples)
            {
                for (; j + 4 <= tiles.Samples; j += 4)
                {
                    ShiftColumnsFourSamples(MemoryMarshal.Cast<T, float>(xa.AsSpan(xo + ((n0 + j) * c + ci) * hw)), c * hw, MemoryMarshal.Cast<T, float>(scratch.AsSpan()),
                        pairShifts, pairMasks, j * 4, g, tiles);
                }
            }
            for (; j < tiles.Samples; j++)
            {
                var start = xo + ((n0 + j) * c + ci) * hw;
                if (vectorShift)
                {
                    // the plane and whatever follows it in the array: rows are read as whole vectors where they fit
                    ShiftColumnsAvx512(MemoryMarshal.Cast<T, float>(xa.AsSpan(start)), MemoryMarshal.Cast<T, float>(scratch.AsSpan()), shifts, j * tiles.Tw, g, tiles);
                }
                else
                {
                    ShiftColumns(xa.AsSpan(start, hw), scratch, j * tiles.Tw, g, tiles);
                }
            }
            for (var ti = 0; ti < tiles.Th; ti++)
            {
                for (nuint at = 0; at < (nuint)lanes; at += width)
                {
                    // along each of the tile's six rows, then down its six columns
                    for (var r = 0; r < 6; r++)
                    {
                        ref var q = ref Unsafe.Add(ref qr, (4 * ti + r) * row);
                        var shift = (nuint)(hp * row);
                        InputTransform4(Vector512.LoadUnsafe(ref q, at), Vector512.LoadUnsafe(ref q, at + shift), Vector512.LoadUnsafe(ref q, at + 2 * shift),
                            Vector512.LoadUnsafe(ref q, at + 3 * shift), Vector512.LoadUnsafe(ref q, at + 4 * shift), Vector512.LoadUnsafe(ref q, at + 5 * shift),
                            out t[6 * r], out t[6 * r + 1], out t[6 * r + 2], out t[6 * r + 3], out t[6 * r + 4], out t[6 * r + 5]);
                    }
                    ref var dst = ref Unsafe.Add(ref vr, ci * tc + ti * lanes);
                    for (var b = 0; b < 6; b++)
                    {
                        InputTransform4(t[b], t[6 + b], t[12 + b], t[18 + b], t[24 + b], t[30 + b], out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
                        v0.StoreUnsafe(ref dst, at + (nuint)b * s);
                        v1.StoreUnsafe(ref dst, at + (nuint)(6 + b) * s);
                        v2.StoreUnsafe(ref dst, at + (nuint)(12 + b) * s);
                        v3.StoreUnsafe(ref dst, at + (nuint)(18 + b) * s);
                        v4.StoreUnsafe(ref dst, at + (nuint)(24 + b) * s);
                        v5.StoreUnsafe(ref dst, at + (nuint)(30 + b) * s);
                    }
                }
            }
        }
    }

    /// <summary>q_s[h, lane + tj] = x[h − padH, 4·tj + s − padW] of one sample's channel plane (zero outside the image), for the rows inside the image.</summary>
    private static void ShiftColumns<T>(ReadOnlySpan<T> x, T[] q, int lane, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int row = tiles.Row, shift = tiles.Hp * row, tw = tiles.Tw, w = g.InW;
        for (var h = 0; h < g.InH; h++)
        {
            var xr = x.Slice(h * w, w);
            var at = (h + g.PadH) * row + lane;
            for (var s = 0; s < 6; s++)
            {
                var dst = q.AsSpan(s * shift + at, tw);
                for (var tj = 0; tj < tw; tj++)
                {
                    var iw = 4 * tj + s - g.PadW;
                    dst[tj] = (uint)iw < (uint)w ? xr[iw] : T.Zero;
                }
            }
        }
    }

    /// <summary>The permutes of <see cref="ShiftColumnsAvx512"/>: lane t of copy s takes column 4·(t mod 4) + s − padW of the row, or lane 16 (a zero) outside it.</summary>
    private static void ShiftIndices(Span<Vector512<int>> shifts, ConvGeometry g)
    {
        Span<int> index = stackalloc int[16];
        for (var s = 0; s < 6; s++)
        {
            for (var t = 0; t < 16; t++)
            {
                var iw = 4 * (t & 3) + s - g.PadW;
                index[t] = (uint)iw < (uint)g.InW ? iw : 16;
            }
            shifts[s] = Vector512.Create<int>(index);
        }
    }

    /// <summary>
    /// The permutes of <see cref="ShiftColumnsFourSamples"/>: lanes 0-3 of copy s take columns 4·t + s − padW of the
    /// first row, lanes 4-7 the same of the second (index + 16); the masks zero the columns outside the image.
    /// </summary>
    private static void PairShiftIndices(Span<Vector512<int>> shifts, Span<Vector512<float>> masks, ConvGeometry g)
    {
        Span<int> index = stackalloc int[16];
        Span<float> mask = stackalloc float[16];
        for (var s = 0; s < 6; s++)
        {
            for (var t = 0; t < 16; t++)
            {
                var iw = 4 * (t & 3) + s - g.PadW;
                var inside = (uint)iw < (uint)g.InW;
                index[t] = (inside ? iw : 0) + ((t >> 2) & 1) * 16;
                mask[t] = inside ? BitConverter.Int32BitsToSingle(-1) : 0f;
            }
            shifts[s] = Vector512.Create<int>(index);
            masks[s] = Vector512.Create<float>(mask);
        }
    }

    /// <summary>
    /// <see cref="ShiftColumns{T}"/> for four consecutive samples' planes of rows of 16 floats (four tiles a row), planes
    /// <paramref name="sampleStride"/> apart: each shifted copy of a row of the four is two two-row permutes, one insert
    /// and one 512-bit store of sixteen lanes, all of them used.
    /// </summary>
    private static void ShiftColumnsFourSamples(ReadOnlySpan<float> x, int sampleStride, Span<float> q, ReadOnlySpan<Vector512<int>> shifts, ReadOnlySpan<Vector512<float>> masks,
        int lane, ConvGeometry g, Winograd4Tiles tiles)
    {
        int row = tiles.Row;
        var shift = (nuint)(tiles.Hp * row);
        _ = x[3 * sampleStride + 16 * g.InH - 1];
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var x1 = ref Unsafe.Add(ref x0, sampleStride);
        ref var x2 = ref Unsafe.Add(ref x1, sampleStride);
        ref var x3 = ref Unsafe.Add(ref x2, sampleStride);
        ref var dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(q), g.PadH * row + lane);
        for (var h = 0; h < g.InH; h++, dst = ref Unsafe.Add(ref dst, row))
        {
            var at = (nuint)(16 * h);
            Vector512<float> a = Vector512.LoadUnsafe(ref x0, at), b = Vector512.LoadUnsafe(ref x1, at), c = Vector512.LoadUnsafe(ref x2, at), d = Vector512.LoadUnsafe(ref x3, at);
            for (var s = 0; s < 6; s++)
            {
                var index = shifts[s];
                var v = Vector512.Create(Avx512F.PermuteVar16x32x2(a, index, b).GetLower(), Avx512F.PermuteVar16x32x2(c, index, d).GetLower()) & masks[s];
                v.StoreUnsafe(ref dst, (nuint)s * shift);
            }
        }
    }

    /// <summary><see cref="ShiftColumns{T}"/> for rows of at most 16 floats: each row is one register, each shifted copy one permute (writes four lanes; the ones past tw are overwritten by the next sample or land in the row's room).</summary>
    private static void ShiftColumnsAvx512(ReadOnlySpan<float> x, Span<float> q, ReadOnlySpan<Vector512<int>> shifts, int lane, ConvGeometry g, Winograd4Tiles tiles)
    {
        int row = tiles.Row, w = g.InW;
        var shift = (nuint)(tiles.Hp * row);
        Vector512<int> s0 = shifts[0], s1 = shifts[1], s2 = shifts[2], s3 = shifts[3], s4 = shifts[4], s5 = shifts[5];
        var zero = Vector512<float>.Zero;
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(q), g.PadH * row + lane);
        // rows whose 16-float read stays inside the array are loaded in place (the lanes past the row, from the next
        // rows or plane, are never selected by the permutes); the last ones go through a zero-padded copy
        var direct = Math.Min(g.InH, (x.Length - 16) / w + 1);
        Span<float> padded = stackalloc float[16];
        for (var h = 0; h < g.InH; h++, dst = ref Unsafe.Add(ref dst, row))
        {
            Vector512<float> xv;
            if (h < direct)
            {
                xv = Vector512.LoadUnsafe(ref xr, (nuint)(h * w));
            }
            else
            {
                padded.Clear();
                x.Slice(h * w, w).CopyTo(padded);
                xv = Vector512.Create<float>(padded);
            }
            Avx512F.PermuteVar16x32x2(xv, s0, zero).GetLower().StoreUnsafe(ref dst);
            Avx512F.PermuteVar16x32x2(xv, s1, zero).GetLower().StoreUnsafe(ref dst, shift);
            Avx512F.PermuteVar16x32x2(xv, s2, zero).GetLower().StoreUnsafe(ref dst, 2 * shift);
            Avx512F.PermuteVar16x32x2(xv, s3, zero).GetLower().StoreUnsafe(ref dst, 3 * shift);
            Avx512F.PermuteVar16x32x2(xv, s4, zero).GetLower().StoreUnsafe(ref dst, 4 * shift);
            Avx512F.PermuteVar16x32x2(xv, s5, zero).GetLower().StoreUnsafe(ref dst, 5 * shift);
        }
    }

    /// <summary>y (+)= Aᵀ M A (+ bias) for every tile of the chunk; outputs past the image's last row or column are dropped.</summary>
    private static void TransformOutput4<T>(T[] mm, int mStride, T[] ya, int yo, T[]? ba, int bo, int n0, T[] scratch, bool accumulate, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, lanes = tiles.Lanes, tc = tiles.Columns, row = tiles.Row;
        ref var mr = ref MemoryMarshal.GetArrayDataReference(mm);
        ref var zr = ref MemoryMarshal.GetArrayDataReference(scratch);
        var s = (nuint)mStride;
        var width = (nuint)Vector512<T>.Count;
        Span<Vector512<T>> t = stackalloc Vector512<T>[24];
        for (var o = 0; o < k; o++)
        {
            var bias = ba is null ? T.Zero : ba[bo + o];
            for (var ti = 0; ti < tiles.Th; ti++)
            {
                ref var src = ref Unsafe.Add(ref mr, o * tc + ti * lanes);
                ref var zt = ref Unsafe.Add(ref zr, 16 * ti * row);
                for (nuint at = 0; at < (nuint)lanes; at += width)
                {
                    // along each of the six rows of M, then down the four resulting columns
                    for (var a = 0; a < 6; a++)
                    {
                        var r0 = at + (nuint)(6 * a) * s;
                        OutputTransform4(Vector512.LoadUnsafe(ref src, r0), Vector512.LoadUnsafe(ref src, r0 + s), Vector512.LoadUnsafe(ref src, r0 + 2 * s),
                            Vector512.LoadUnsafe(ref src, r0 + 3 * s), Vector512.LoadUnsafe(ref src, r0 + 4 * s), Vector512.LoadUnsafe(ref src, r0 + 5 * s),
                            out t[4 * a], out t[4 * a + 1], out t[4 * a + 2], out t[4 * a + 3]);
                    }
                    for (var q = 0; q < 4; q++)
                    {
                        OutputTransform4(t[q], t[4 + q], t[8 + q], t[12 + q], t[16 + q], t[20 + q], out var y0, out var y1, out var y2, out var y3);
                        y0.StoreUnsafe(ref zt, at + (nuint)(q * row));
                        y1.StoreUnsafe(ref zt, at + (nuint)((4 + q) * row));
                        y2.StoreUnsafe(ref zt, at + (nuint)((8 + q) * row));
                        y3.StoreUnsafe(ref zt, at + (nuint)((12 + q) * row));
                    }
                }
            }
            ScatterTiles(scratch, ya, yo, n0, o, bias, accumulate, g, tiles);
        }
    }

    /// <summary>
    /// y[n0 + j, o, 4·ti + p, 4·tj + q] (+)= z[16·ti + 4p + q, j·tw + tj] + bias for the rows and columns inside the
    /// image, one output plane after the other (row by row, so the stores run through memory in order).
    /// </summary>
    private static void ScatterTiles<T>(T[] z, T[] ya, int yo, int n0, int o, T bias, bool accumulate, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW, row = tiles.Row, tw = tiles.Tw;
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && (outW == 16 || outW == 8) && tw <= 4)
        {
            var b = Vector512.Create(float.CreateTruncating(bias));
            ref var zr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<T, float>(z.AsSpan()));
            ref var yr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<T, float>(ya.AsSpan()));
            for (var j = 0; j < tiles.Samples; j++)
            {
                ref var plane = ref Unsafe.Add(ref yr, yo + ((n0 + j) * g.OutChannels + o) * outHW);
                ref var zj = ref Unsafe.Add(ref zr, j * tw);
                // four image rows (one tile row) at a time, all loaded before any is stored
                for (var h = 0; h < outH; h += 4)
                {
                    ref var zt = ref Unsafe.Add(ref zj, 16 * (h >> 2) * row);
                    var r0 = TileRow(ref zt, row) + b;
                    var r1 = TileRow(ref Unsafe.Add(ref zt, 4 * row), row) + b;
                    var r2 = TileRow(ref Unsafe.Add(ref zt, 8 * row), row) + b;
                    var r3 = TileRow(ref Unsafe.Add(ref zt, 12 * row), row) + b;
                    var rows = Math.Min(4, outH - h);
                    ref var dst = ref Unsafe.Add(ref plane, h * outW);
                    StoreRow(r0, ref dst, outW, accumulate);
                    if (rows > 1)
                    {
                        StoreRow(r1, ref Unsafe.Add(ref dst, outW), outW, accumulate);
                    }
                    if (rows > 2)
                    {
                        StoreRow(r2, ref Unsafe.Add(ref dst, 2 * outW), outW, accumulate);
                    }
                    if (rows > 3)
                    {
                        StoreRow(r3, ref Unsafe.Add(ref dst, 3 * outW), outW, accumulate);
                    }
                }
            }
            return;
        }
        for (var j = 0; j < tiles.Samples; j++)
        {
            var plane = ya.AsSpan(yo + ((n0 + j) * g.OutChannels + o) * outHW, outHW);
            for (var h = 0; h < outH; h++)
            {
                var dst = plane.Slice(h * outW, outW);
                var zp = (16 * (h >> 2) + 4 * (h & 3)) * row + j * tw;
                for (var col = 0; col < outW; col++)
                {
                    var value = z[zp + (col & 3) * row + (col >> 2)] + bias;
                    dst[col] = accumulate ? dst[col] + value : value;
                }
            }
        }
    }

    /// <summary>One image row from four rows of z (columns q = 0…3 of up to four tiles): lane 4·tj + q = z[q, tj].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TileRow(ref float z, int row) =>
        Avx512F.PermuteVar16x32(Vector512.Create(
            Vector256.Create(Vector128.LoadUnsafe(ref z), Vector128.LoadUnsafe(ref z, (nuint)row)),
            Vector256.Create(Vector128.LoadUnsafe(ref z, (nuint)(2 * row)), Vector128.LoadUnsafe(ref z, (nuint)(3 * row)))), TileTranspose);

    /// <summary>dst (+)= the first <paramref name="width"/> (16 or 8) lanes of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector512<float> v, ref float dst, int width, bool accumulate)
    {
        // 256-bit stores: a 512-bit store to an unaligned row always straddles two cache lines
        var lower = v.GetLower();
        (accumulate ? lower + Vector256.LoadUnsafe(ref dst) : lower).StoreUnsafe(ref dst);
        if (width == 16)
        {
            var upper = v.GetUpper();
            (accumulate ? upper + Vector256.LoadUnsafe(ref dst, 8) : upper).StoreUnsafe(ref dst, 8);
        }
    }

    /// <summary>Lane 4·tj + q takes lane 4·q + tj: turns four rows of four tiles' outputs into one image row (and back: it is its own inverse).</summary>
    private static readonly Vector512<int> TileTranspose = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);

    /// <summary>dM = A dY Aᵀ of every output tile of the chunk (the adjoint of <see cref="TransformOutput4{T}"/>; outputs past the image count as zero).</summary>
    private static void TransformOutputAdjoint4<T>(T[] dya, int dyo, int n0, T[] dm, int mStride, T[] scratch, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, lanes = tiles.Lanes, tc = tiles.Columns, row = tiles.Row;
        ref var dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref var zs = ref MemoryMarshal.GetArrayDataReference(scratch);
        var s = (nuint)mStride;
        var width = (nuint)Vector512<T>.Count;
        Span<Vector512<T>> t = stackalloc Vector512<T>[24];
        // rows of z past the image (a ragged last tile row) are never written below: clear them once
        scratch.AsSpan(0, 16 * tiles.Th * row).Clear();
        for (var o = 0; o < k; o++)
        {
            GatherTiles(dya, dyo, n0, o, scratch, g, tiles);
            for (var ti = 0; ti < tiles.Th; ti++)
            {
                ref var zr = ref Unsafe.Add(ref zs, 16 * ti * row);
                ref var dst = ref Unsafe.Add(ref dr, o * tc + ti * lanes);
                for (nuint at = 0; at < (nuint)lanes; at += width)
                {
                    // down the four columns of dY (rows p of z), then along the six resulting rows
                    for (var q = 0; q < 4; q++)
                    {
                        OutputTransformAdjoint4(Vector512.LoadUnsafe(ref zr, at + (nuint)(q * row)), Vector512.LoadUnsafe(ref zr, at + (nuint)((4 + q) * row)),
                            Vector512.LoadUnsafe(ref zr, at + (nuint)((8 + q) * row)), Vector512.LoadUnsafe(ref zr, at + (nuint)((12 + q) * row)),
                            out t[q], out t[4 + q], out t[8 + q], out t[12 + q], out t[16 + q], out t[20 + q]);
                    }
                    for (var a = 0; a < 6; a++)
                    {
                        OutputTransformAdjoint4(t[4 * a], t[4 * a + 1], t[4 * a + 2], t[4 * a + 3], out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
                        var r0 = at + (nuint)(6 * a) * s;
                        d0.StoreUnsafe(ref dst, r0);
                        d1.StoreUnsafe(ref dst, r0 + s);
                        d2.StoreUnsafe(ref dst, r0 + 2 * s);
                        d3.StoreUnsafe(ref dst, r0 + 3 * s);
                        d4.StoreUnsafe(ref dst, r0 + 4 * s);
                        d5.StoreUnsafe(ref dst, r0 + 5 * s);
                    }
                }
            }
        }
    }

    /// <summary>z[16·ti + 4p + q, j·tw + tj] = dy[n0 + j, o, 4·ti + p, 4·tj + q] (columns past the image zero): the inverse of <see cref="ScatterTiles{T}"/>, reading one plane after the other.</summary>
    private static void GatherTiles<T>(T[] dya, int dyo, int n0, int o, T[] z, ConvGeometry g, Winograd4Tiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = g.OutH, outW = g.OutW, outHW = outH * outW, row = tiles.Row, tw = tiles.Tw;
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && (outW == 16 || outW == 8) && tw <= 4)
        {
            ref var zr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<T, float>(z.AsSpan()));
            ref var yr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<T, float>(dya.AsSpan()));
            for (var j = 0; j < tiles.Samples; j++)
            {
                ref var plane = ref Unsafe.Add(ref yr, dyo + ((n0 + j) * g.OutChannels + o) * outHW);
                for (var h = 0; h < outH; h++)
                {
                    ref var src = ref Unsafe.Add(ref plane, h * outW);
                    var v = outW == 16 ? Vector512.LoadUnsafe(ref src) : Vector512.Create(Vector256.LoadUnsafe(ref src), Vector256<float>.Zero);
                    v = Avx512F.PermuteVar16x32(v, TileTranspose);
                    // four lanes per row of z: the ones past tw are overwritten by the next sample or land in the row's room
                    ref var zp = ref Unsafe.Add(ref zr, (16 * (h >> 2) + 4 * (h & 3)) * row + j * tw);
                    v.GetLower().GetLower().StoreUnsafe(ref zp);
                    v.GetLower().GetUpper().StoreUnsafe(ref zp, (nuint)row);
                    v.GetUpper().GetLower().StoreUnsafe(ref zp, (nuint)(2 * row));
                    v.GetUpper().GetUpper().StoreUnsafe(ref zp, (nuint)(3 * row));
                }
            }
            return;
        }
        for (var j = 0; j < tiles.Samples; j++)
        {
            var plane = dya.AsSpan(dyo + ((n0 + j) * g.OutChannels + o) * outHW, outHW);
            for (var h = 0; h < outH; h++)
            {
                var src = plane.Slice(h * outW, outW);
                var zp = (16 * (h >> 2) + 4 * (h & 3)) * row + j * tw;
                for (var q = 0; q < 4; q++)
                {
                    for (var tj = 0; tj < tw; tj++)
                    {
                        var col = 4 * tj + q;
                        z[zp + q * row + tj] = col < outW ? src[col] : T.Zero;
                    }
                }
            }
        }
    }
}
