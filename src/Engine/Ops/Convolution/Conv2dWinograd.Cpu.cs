using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution of 3x3 stride-1 layers by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016): each 2x2 output tile is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of the
/// 4x4 input tile d that covers it, so a layer is 16 GEMMs [K, C]·[C, tiles] (16 multiplies per 4 outputs and input
/// channel, against 36 for im2col + GEMM). The input gradient is the same algorithm run on dY with the flipped,
/// channel-swapped weights (padding 2 − p, hence padding ≤ 2); the weight gradient is the exact adjoint of the forward
/// computation: with dM = A dY Aᵀ per tile, dg = Gᵀ(Σ_tiles dM ⊙ V)G, i.e. 16 GEMMs dM·Vᵀ. Chunks of samples depend
/// only on the geometry; the weight gradient adds the chunks' sums in chunk order, so results are the same for any
/// thread count.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>
    /// Fewest input and output channels for which the Winograd path is used: the GEMMs' inner dimension is a channel
    /// count, and with very few channels the transforms are all the work (measured faster than im2col from 16 channels
    /// up; 8 is a bound, not a measured crossover).
    /// </summary>
    public const int WinogradMinChannels = 8;

    /// <summary>
    /// Whether <see cref="Conv2dForward"/> and its gradients run a Winograd path for this geometry: F(4x4, 3x3) where
    /// <see cref="UsesWinograd4"/> says so (Conv2dWinograd4.Cpu.cs), else F(2x2, 3x3).
    /// </summary>
    public static bool UsesWinograd(ConvGeometry g) =>
        !WinogradDisabled && g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 &&
        g.PadH <= 2 && g.PadW <= 2 &&
        g.InChannels >= WinogradMinChannels && g.OutChannels >= WinogradMinChannels;

    /// <summary>Forces im2col + GEMM for every geometry (benchmarks time the two paths against each other in one process).</summary>
    public static bool WinogradDisabled { get; set; }

    /// <summary>Tiles per sample (th × tw 2x2 output tiles) and the zero-padded input plane they read (hp × wp).</summary>
    private readonly record struct WinogradTiles(int Th, int Tw)
    {
        public int PerSample => Th * Tw;

        public int Hp => 2 * Th + 2;

        public int Wp => 2 * Tw + 2;

        /// <summary>Columns of each half (even or odd columns) of a padded row: tw + 1.</summary>
        public int HalfWidth => Tw + 1;

        /// <summary>Elements of one half-plane (hp rows of <see cref="HalfWidth"/>) with room for a vector read past its end.</summary>
        public int SplitPlaneSize(int lanes) => Hp * HalfWidth + lanes + 1;

        /// <summary><see cref="PerSample"/> rounded up to whole vectors.</summary>
        public int RoundedPerSample(int lanes) => (PerSample + lanes - 1) / lanes * lanes;

        public static WinogradTiles Of(ConvGeometry g) => new((g.OutH + 1) / 2, (g.OutW + 1) / 2);
    }

    /// <summary>Floats of one transformed operand per chunk ([16, channels, tiles]): about 512 KiB (measured on 8x8 and 16x16 layers: smaller chunks stay in cache, larger ones lose 10–20%).</summary>
    private const long WinogradBudget = 1 << 17;

    /// <summary>The weight gradient's budget: its GEMMs sum over the chunk's tiles, so they gain from more (measured: 2x the forward's).</summary>
    private const long WinogradFilterBudget = 1 << 18;

    private static (int PerChunk, int Chunks) WinogradChunks(ConvGeometry g, WinogradTiles tiles, long budget = WinogradBudget)
    {
        var perSample = 16L * Math.Max(g.InChannels, g.OutChannels) * tiles.PerSample;
        var perChunk = (int)Math.Clamp(budget / Math.Max(1, perSample), 1, g.Batch);
        perChunk = Math.Max(1, Math.Min(perChunk, (g.Batch + MinChunks - 1) / MinChunks));
        return (perChunk, (g.Batch + perChunk - 1) / perChunk);
    }

    private static int WinogradGrain(ConvGeometry g, WinogradTiles tiles, int perChunk, int chunks) =>
        CpuParallel.GrainForElements(chunks, (long)perChunk * tiles.PerSample * 16 * g.InChannels * g.OutChannels / 32);

    private static void WinogradForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var u = TransformWeights<T>(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, g.OutChannels * g.InChannels * 9), g.OutChannels, g.InChannels);
        WinogradConvolve(((CpuStorage)x.Storage).Array<T>(), (int)x.Offset, u, bias is null ? null : ((CpuStorage)bias.Storage).Array<T>(), (int)(bias?.Offset ?? 0),
            ((CpuStorage)y.Storage).Array<T>(), (int)y.Offset, g, accumulate: false);
        ArrayPool<T>.Shared.Return(u);
    }

    /// <summary>
    /// The input gradient of a 3x3 stride-1 convolution with padding p is the convolution of dy with the weights
    /// flipped in both spatial axes and their channel axes swapped, padding 2 − p: run it as a forward Winograd
    /// convolution of that geometry.
    /// </summary>
    private static void WinogradBackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels;
        var flipped = FlippedSwappedWeights(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, k * c * 9), k, c);
        var u = TransformWeights<T>(flipped.AsSpan(0, c * k * 9), c, k);
        ArrayPool<T>.Shared.Return(flipped);
        WinogradConvolve(((CpuStorage)dy.Storage).Array<T>(), (int)dy.Offset, u, null, 0, ((CpuStorage)dx.Storage).Array<T>(), (int)dx.Offset, AdjointGeometry(g), accumulate);
        ArrayPool<T>.Shared.Return(u);
    }

    /// <summary>The weights [K, C, 3, 3] flipped in both spatial axes, channel axes swapped: [C, K, 3, 3], in an array rented from the shared pool.</summary>
    private static T[] FlippedSwappedWeights<T>(ReadOnlySpan<T> w, int k, int c)
    {
        var flipped = ArrayPool<T>.Shared.Rent(c * k * 9);
        for (var o = 0; o < k; o++)
        {
            for (var i = 0; i < c; i++)
            {
                for (var r = 0; r < 9; r++)
                {
                    flipped[(i * k + o) * 9 + 8 - r] = w[(o * c + i) * 9 + r];
                }
            }
        }
        return flipped;
    }

    /// <summary>The geometry whose forward convolution is the input gradient of <paramref name="g"/>: dY in, C out, padding 2 − p.</summary>
    private static ConvGeometry AdjointGeometry(ConvGeometry g) => new(g.Batch, g.OutChannels, g.OutH, g.OutW, g.InChannels, 3, 3, 1, 1, 2 - g.PadH, 2 - g.PadW);

    /// <summary>y (+)= conv(x, g) + bias by F(2x2, 3x3), the weights already transformed (<paramref name="u"/> [16, K, C]).</summary>
    private static void WinogradConvolve<T>(T[] xa, int xo, T[] u, T[]? ba, int bo, T[] ya, int yo, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, k = g.OutChannels, lanes = Vector256<T>.Count;
        var tiles = WinogradTiles.Of(g);
        var (perChunk, chunks) = WinogradChunks(g, tiles);
        ForEachWinogradChunk<T>(g.Batch, perChunk, chunks, WinogradGrain(g, tiles, perChunk, chunks),
            16 * (c * perChunk * tiles.PerSample + lanes), 16 * (k * perChunk * tiles.PerSample + lanes), WinogradPlanes(tiles, lanes), (_, n0, m, v, mm, planes) =>
        {
            int tc = m * tiles.PerSample, vStride = c * tc + lanes, mStride = k * tc + lanes;
            TransformInput(xa, xo, n0, m, v, vStride, planes, g, tiles);
            for (var xi = 0; xi < 16; xi++)
            {
                Cpu.Gemm.Single(false, false, k, tc, c, T.One, u.AsSpan(xi * k * c, k * c), c, v.AsSpan(xi * vStride, c * tc), tc, T.Zero, mm.AsSpan(xi * mStride, k * tc), tc);
            }
            TransformOutput(mm, mStride, ya, yo, ba, bo, n0, m, planes, accumulate, g, tiles);
        });
    }

    /// <summary>One chunk of a Winograd pass: its index, first sample and sample count, and the thread's three scratch arrays.</summary>
    private delegate void WinogradChunk<T>(int chunk, int n0, int samples, T[] transformedInput, T[] transformedOutput, T[] scratch);

    /// <summary>
    /// Runs <paramref name="body"/> on every chunk of <paramref name="perChunk"/> samples (the last one shorter), threads
    /// taking whole chunks, each thread with its own scratch arrays rented once for all its chunks (the loop every
    /// Winograd pass, F(2x2, 3x3) and F(4x4, 3x3), forward and weight gradient, shares).
    /// </summary>
    private static void ForEachWinogradChunk<T>(int batch, int perChunk, int chunks, int grain, int inputSize, int outputSize, int scratchSize, WinogradChunk<T> body)
    {
        CpuParallel.For(chunks, grain, (c0, c1) =>
        {
            var v = ArrayPool<T>.Shared.Rent(inputSize);
            var m = ArrayPool<T>.Shared.Rent(outputSize);
            var scratch = ArrayPool<T>.Shared.Rent(scratchSize);
            try
            {
                for (var ch = c0; ch < c1; ch++)
                {
                    var n0 = ch * perChunk;
                    body(ch, n0, Math.Min(batch, n0 + perChunk) - n0, v, m, scratch);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(v);
                ArrayPool<T>.Shared.Return(m);
                ArrayPool<T>.Shared.Return(scratch);
            }
        });
    }

    /// <summary>Scratch for one thread's transforms: the split padded input planes, or four planes of per-tile outputs.</summary>
    private static int WinogradPlanes(WinogradTiles tiles, int lanes) => Math.Max(2 * tiles.SplitPlaneSize(lanes), 4 * tiles.RoundedPerSample(lanes));

    private static void WinogradBackwardFilter<T>(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var dwa = ((CpuStorage)dw.Storage).Array<T>();
        int xo = (int)x.Offset, dyo = (int)dy.Offset, dwo = (int)dw.Offset;
        int c = g.InChannels, k = g.OutChannels, lanes = Vector256<T>.Count;
        var tiles = WinogradTiles.Of(g);
        var (perChunk, chunks) = WinogradChunks(g, tiles, WinogradFilterBudget);
        var partials = new T[chunks][];
        ForEachWinogradChunk<T>(g.Batch, perChunk, chunks, WinogradGrain(g, tiles, perChunk, chunks),
            16 * (c * perChunk * tiles.PerSample + lanes), 16 * (k * perChunk * tiles.PerSample + lanes), WinogradPlanes(tiles, lanes), (ch, n0, m, v, dm, planes) =>
        {
            int tc = m * tiles.PerSample, vStride = c * tc + lanes, mStride = k * tc + lanes;
            TransformInput(xa, xo, n0, m, v, vStride, planes, g, tiles);
            TransformOutputAdjoint(dya, dyo, n0, m, dm, mStride, planes, g, tiles);
            // the chunk's sum over its tiles: dU_ξ [K, C] = dM_ξ [K, tiles] · V_ξᵀ [tiles, C]
            var partial = ArrayPool<T>.Shared.Rent(16 * k * c);
            for (var xi = 0; xi < 16; xi++)
            {
                Cpu.Gemm.Single(false, true, k, c, tc, T.One, dm.AsSpan(xi * mStride, k * tc), tc, v.AsSpan(xi * vStride, c * tc), tc, T.Zero, partial.AsSpan(xi * k * c, k * c), c);
            }
            partials[ch] = partial;
        });
        var du = partials[0].AsSpan(0, 16 * k * c);
        for (var ch = 1; ch < chunks; ch++)
        {
            TensorPrimitives.Add(du, partials[ch].AsSpan(0, 16 * k * c), du);
            ArrayPool<T>.Shared.Return(partials[ch]);
        }
        TransformWeightsAdjoint<T>(du, dwa.AsSpan(dwo, k * c * 9), k, c, accumulate);
        ArrayPool<T>.Shared.Return(partials[0]);
    }

    /// <summary>U_ξ = (G g Gᵀ)_ξ for every (k, c): [16, K, C], in an array rented from the shared pool (the caller returns it).</summary>
    private static T[] TransformWeights<T>(ReadOnlySpan<T> w, int k, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var half = T.CreateTruncating(0.5);
        var u = ArrayPool<T>.Shared.Rent(16 * k * c);
        Span<T> t = stackalloc T[12];
        for (var o = 0; o < k; o++)
        {
            for (var i = 0; i < c; i++)
            {
                var f = w.Slice((o * c + i) * 9, 9);
                for (var s = 0; s < 3; s++)
                {
                    T g0 = f[s], g1 = f[3 + s], g2 = f[6 + s];
                    t[s] = g0;
                    t[3 + s] = half * (g0 + g1 + g2);
                    t[6 + s] = half * (g0 - g1 + g2);
                    t[9 + s] = g2;
                }
                var at = o * c + i;
                var plane = k * c;
                for (var a = 0; a < 4; a++)
                {
                    T g0 = t[3 * a], g1 = t[3 * a + 1], g2 = t[3 * a + 2];
                    u[(4 * a) * plane + at] = g0;
                    u[(4 * a + 1) * plane + at] = half * (g0 + g1 + g2);
                    u[(4 * a + 2) * plane + at] = half * (g0 - g1 + g2);
                    u[(4 * a + 3) * plane + at] = g2;
                }
            }
        }
        return u;
    }

    /// <summary>dw (+)= Gᵀ dU G for every (k, c): the adjoint of <see cref="TransformWeights{T}"/>.</summary>
    private static void TransformWeightsAdjoint<T>(ReadOnlySpan<T> du, Span<T> dw, int k, int c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var half = T.CreateTruncating(0.5);
        Span<T> t = stackalloc T[12];
        var plane = k * c;
        for (var o = 0; o < k; o++)
        {
            for (var i = 0; i < c; i++)
            {
                var at = o * c + i;
                for (var a = 0; a < 4; a++)
                {
                    T d0 = du[(4 * a) * plane + at], d1 = du[(4 * a + 1) * plane + at], d2 = du[(4 * a + 2) * plane + at], d3 = du[(4 * a + 3) * plane + at];
                    t[3 * a] = d0 + half * (d1 + d2);
                    t[3 * a + 1] = half * (d1 - d2);
                    t[3 * a + 2] = half * (d1 + d2) + d3;
                }
                var f = dw.Slice((o * c + i) * 9, 9);
                for (var s = 0; s < 3; s++)
                {
                    T d0 = t[s], d1 = t[3 + s], d2 = t[6 + s], d3 = t[9 + s];
                    T r0 = d0 + half * (d1 + d2), r1 = half * (d1 - d2), r2 = half * (d1 + d2) + d3;
                    if (accumulate)
                    {
                        f[s] += r0;
                        f[3 + s] += r1;
                        f[6 + s] += r2;
                    }
                    else
                    {
                        f[s] = r0;
                        f[3 + s] = r1;
                        f[6 + s] = r2;
                    }
                }
            }
        }
    }

    // Layout of the transformed operands: plane ξ of V (or M) starts at ξ·stride, stride = channels·tiles + one vector;
    // within it channel c of sample j of the chunk holds that sample's th·tw tiles row by row from c·tiles + j·th·tw.
    // The transforms work on whole vectors of tiles: a vector that runs past a tile row writes values that the next
    // row (or sample, or channel, processed later) overwrites, or that land in the vector of room at the plane's end;
    // reads past the end of a region (rented memory, possibly stale) only feed lanes whose results are discarded.

    /// <summary>
    /// Splits channel plane x [H, W], zero-padded to [hp, wp] (input row h at row h + padH, column w at w + padW), into its
    /// even and odd columns: e[r, s/2] and o[r, s/2], each [hp, tw + 1], cleared past the image.
    /// </summary>
    private static void SplitPadded<T>(ReadOnlySpan<T> x, Span<T> e, Span<T> o, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged
    {
        e.Clear();
        o.Clear();
        var half = tiles.HalfWidth;
        for (var h = 0; h < g.InH; h++)
        {
            var r = h + g.PadH;
            var row = x.Slice(h * g.InW, g.InW);
            var er = e.Slice(r * half, half);
            var or = o.Slice(r * half, half);
            // padded column s = w + padW: even s to e[s/2], odd s to o[s/2]
            var first = g.PadW & 1;
            Deinterleave<T>(row, (first == 0 ? er : or).Slice(g.PadW >> 1), (first == 0 ? or : er).Slice((g.PadW + 1) >> 1));
        }
    }

    /// <summary>evens[i] = source[2i], odds[i] = source[2i + 1] (AVX2 permutes for float, 8 or 16 at a time).</summary>
    private static void Deinterleave<T>(ReadOnlySpan<T> source, Span<T> evens, Span<T> odds)
        where T : unmanaged
    {
        var i = 0;
        if (typeof(T) == typeof(float) && Avx2.IsSupported)
        {
            var s = MemoryMarshal.Cast<T, float>(source);
            var e = MemoryMarshal.Cast<T, float>(evens);
            var o = MemoryMarshal.Cast<T, float>(odds);
            var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            for (; i + 16 <= s.Length; i += 16)
            {
                var a = Avx2.PermuteVar8x32(Vector256.Create(s.Slice(i, 8)), order);
                var b = Avx2.PermuteVar8x32(Vector256.Create(s.Slice(i + 8, 8)), order);
                Avx.Permute2x128(a, b, 0x20).CopyTo(e.Slice(i >> 1, 8));
                Avx.Permute2x128(a, b, 0x31).CopyTo(o.Slice(i >> 1, 8));
            }
            for (; i + 8 <= s.Length; i += 8)
            {
                var a = Avx2.PermuteVar8x32(Vector256.Create(s.Slice(i, 8)), order);
                a.GetLower().CopyTo(e.Slice(i >> 1, 4));
                a.GetUpper().CopyTo(o.Slice(i >> 1, 4));
            }
        }
        for (; i + 1 < source.Length; i += 2)
        {
            evens[i >> 1] = source[i];
            odds[i >> 1] = source[i + 1];
        }
        if (i < source.Length)
        {
            evens[i >> 1] = source[i];
        }
    }

    /// <summary>destination[2i] (+)= evens[i], destination[2i + 1] (+)= odds[i]: the inverse of <see cref="Deinterleave{T}"/>.</summary>
    private static void Interleave<T>(ReadOnlySpan<T> evens, ReadOnlySpan<T> odds, Span<T> destination, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (typeof(T) == typeof(float) && Avx2.IsSupported)
        {
            var d = MemoryMarshal.Cast<T, float>(destination);
            var e = MemoryMarshal.Cast<T, float>(evens);
            var o = MemoryMarshal.Cast<T, float>(odds);
            for (; i + 16 <= d.Length; i += 16)
            {
                var ev = Vector256.Create(e.Slice(i >> 1, 8));
                var od = Vector256.Create(o.Slice(i >> 1, 8));
                Vector256<float> lo = Avx.UnpackLow(ev, od), hi = Avx.UnpackHigh(ev, od);
                Vector256<float> first = Avx.Permute2x128(lo, hi, 0x20), second = Avx.Permute2x128(lo, hi, 0x31);
                if (accumulate)
                {
                    first += Vector256.Create(d.Slice(i, 8));
                    second += Vector256.Create(d.Slice(i + 8, 8));
                }
                first.CopyTo(d.Slice(i, 8));
                second.CopyTo(d.Slice(i + 8, 8));
            }
            for (; i + 8 <= d.Length; i += 8)
            {
                var ev = Vector128.Create(e.Slice(i >> 1, 4));
                var od = Vector128.Create(o.Slice(i >> 1, 4));
                Vector128<float> first = Sse.UnpackLow(ev, od), second = Sse.UnpackHigh(ev, od);
                if (accumulate)
                {
                    first += Vector128.Create(d.Slice(i, 4));
                    second += Vector128.Create(d.Slice(i + 4, 4));
                }
                first.CopyTo(d.Slice(i, 4));
                second.CopyTo(d.Slice(i + 4, 4));
            }
        }
        for (; i < destination.Length; i++)
        {
            var value = (i & 1) == 0 ? evens[i >> 1] : odds[i >> 1];
            destination[i] = accumulate ? destination[i] + value : value;
        }
    }

    /// <summary>Bᵀ along one padded row for a vector of tiles starting at column pair <paramref name="at"/>: (x0 − x2, x1 + x2, x2 − x1, x1 − x3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTransform<T>(ref T e, ref T o, nuint at, out Vector256<T> h0, out Vector256<T> h1, out Vector256<T> h2, out Vector256<T> h3)
    {
        var x0 = Vector256.LoadUnsafe(ref e, at);
        var x1 = Vector256.LoadUnsafe(ref o, at);
        var x2 = Vector256.LoadUnsafe(ref e, at + 1);
        var x3 = Vector256.LoadUnsafe(ref o, at + 1);
        h0 = x0 - x2;
        h1 = x1 + x2;
        h2 = x2 - x1;
        h3 = x1 - x3;
    }

    /// <summary>V_ξ [C, tiles] = (Bᵀ d B)_ξ of every 4x4 input tile d of samples [n0, n0 + m), a vector of tiles of one tile row at a time.</summary>
    private static void TransformInput<T>(T[] xa, int xo, int n0, int m, T[] v, int vStride, T[] planes, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, hw = g.InH * g.InW, tc = m * tiles.PerSample, half = tiles.HalfWidth, lanes = Vector256<T>.Count;
        var planeSize = tiles.SplitPlaneSize(lanes);
        var e = planes.AsSpan(0, planeSize);
        var o = planes.AsSpan(planeSize, planeSize);
        ref var er = ref MemoryMarshal.GetArrayDataReference(planes);
        ref var or = ref Unsafe.Add(ref er, planeSize);
        ref var vr = ref MemoryMarshal.GetArrayDataReference(v);
        var s = (nuint)vStride;
        for (var ci = 0; ci < c; ci++)
        {
            for (var j = 0; j < m; j++)
            {
                SplitPadded<T>(xa.AsSpan(xo + ((n0 + j) * c + ci) * hw, hw), e, o, g, tiles);
                for (var ti = 0; ti < tiles.Th; ti++)
                {
                    for (var tj = 0; tj < tiles.Tw; tj += lanes)
                    {
                        var at = (nuint)(2 * ti * half + tj);
                        var rowStep = (nuint)half;
                        RowTransform(ref er, ref or, at, out var a0, out var a1, out var a2, out var a3);
                        RowTransform(ref er, ref or, at + rowStep, out var b0, out var b1, out var b2, out var b3);
                        RowTransform(ref er, ref or, at + 2 * rowStep, out var c0, out var c1, out var c2, out var c3);
                        RowTransform(ref er, ref or, at + 3 * rowStep, out var d0, out var d1, out var d2, out var d3);
                        ref var dst = ref Unsafe.Add(ref vr, ci * tc + j * tiles.PerSample + ti * tiles.Tw + tj);
                        // columns: Bᵀ down each of the four transformed columns
                        (a0 - c0).StoreUnsafe(ref dst, 0);
                        (a1 - c1).StoreUnsafe(ref dst, s);
                        (a2 - c2).StoreUnsafe(ref dst, 2 * s);
                        (a3 - c3).StoreUnsafe(ref dst, 3 * s);
                        (b0 + c0).StoreUnsafe(ref dst, 4 * s);
                        (b1 + c1).StoreUnsafe(ref dst, 5 * s);
                        (b2 + c2).StoreUnsafe(ref dst, 6 * s);
                        (b3 + c3).StoreUnsafe(ref dst, 7 * s);
                        (c0 - b0).StoreUnsafe(ref dst, 8 * s);
                        (c1 - b1).StoreUnsafe(ref dst, 9 * s);
                        (c2 - b2).StoreUnsafe(ref dst, 10 * s);
                        (c3 - b3).StoreUnsafe(ref dst, 11 * s);
                        (b0 - d0).StoreUnsafe(ref dst, 12 * s);
                        (b1 - d1).StoreUnsafe(ref dst, 13 * s);
                        (b2 - d2).StoreUnsafe(ref dst, 14 * s);
                        (b3 - d3).StoreUnsafe(ref dst, 15 * s);
                    }
                }
            }
        }
    }

    /// <summary>y (+)= Aᵀ M A (+ bias) for every tile of samples [n0, n0 + m); outputs past the image's last row or column are dropped.</summary>
    private static void TransformOutput<T>(T[] mm, int mStride, T[] ya, int yo, T[]? ba, int bo, int n0, int m, T[] planes, bool accumulate, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, outH = g.OutH, outW = g.OutW, outHW = outH * outW, tc = m * tiles.PerSample, lanes = Vector256<T>.Count;
        var rounded = tiles.RoundedPerSample(lanes);
        ref var mr = ref MemoryMarshal.GetArrayDataReference(mm);
        ref var yr = ref MemoryMarshal.GetArrayDataReference(planes);
        var s = (nuint)mStride;
        var q0 = planes.AsSpan(0, rounded);
        var q1 = planes.AsSpan(rounded, rounded);
        var q2 = planes.AsSpan(2 * rounded, rounded);
        var q3 = planes.AsSpan(3 * rounded, rounded);
        for (var o = 0; o < k; o++)
        {
            var b = Vector256.Create(ba is null ? T.Zero : ba[bo + o]);
            for (var j = 0; j < m; j++)
            {
                ref var src0 = ref Unsafe.Add(ref mr, o * tc + j * tiles.PerSample);
                for (var t = 0; t < tiles.PerSample; t += lanes)
                {
                    ref var src = ref Unsafe.Add(ref src0, t);
                    // rows of M: (m_a0 + m_a1 + m_a2, m_a1 − m_a2 − m_a3), then the same down the columns
                    Vector256<T> m01 = Vector256.LoadUnsafe(ref src, s), m02 = Vector256.LoadUnsafe(ref src, 2 * s);
                    var s00 = Vector256.LoadUnsafe(ref src, 0) + m01 + m02;
                    var s01 = m01 - m02 - Vector256.LoadUnsafe(ref src, 3 * s);
                    Vector256<T> m11 = Vector256.LoadUnsafe(ref src, 5 * s), m12 = Vector256.LoadUnsafe(ref src, 6 * s);
                    var s10 = Vector256.LoadUnsafe(ref src, 4 * s) + m11 + m12;
                    var s11 = m11 - m12 - Vector256.LoadUnsafe(ref src, 7 * s);
                    Vector256<T> m21 = Vector256.LoadUnsafe(ref src, 9 * s), m22 = Vector256.LoadUnsafe(ref src, 10 * s);
                    var s20 = Vector256.LoadUnsafe(ref src, 8 * s) + m21 + m22;
                    var s21 = m21 - m22 - Vector256.LoadUnsafe(ref src, 11 * s);
                    Vector256<T> m31 = Vector256.LoadUnsafe(ref src, 13 * s), m32 = Vector256.LoadUnsafe(ref src, 14 * s);
                    var s30 = Vector256.LoadUnsafe(ref src, 12 * s) + m31 + m32;
                    var s31 = m31 - m32 - Vector256.LoadUnsafe(ref src, 15 * s);
                    (s00 + s10 + s20 + b).StoreUnsafe(ref yr, (nuint)t);
                    (s01 + s11 + s21 + b).StoreUnsafe(ref yr, (nuint)(rounded + t));
                    (s10 - s20 - s30 + b).StoreUnsafe(ref yr, (nuint)(2 * rounded + t));
                    (s11 - s21 - s31 + b).StoreUnsafe(ref yr, (nuint)(3 * rounded + t));
                }
                var yn = ya.AsSpan(yo + ((n0 + j) * k + o) * outHW, outHW);
                for (var p = 0; p < outH; p++)
                {
                    var row = yn.Slice(p * outW, outW);
                    var even = (p & 1) == 0;
                    var from0 = (even ? q0 : q2).Slice((p >> 1) * tiles.Tw, tiles.Tw);
                    var from1 = (even ? q1 : q3).Slice((p >> 1) * tiles.Tw, tiles.Tw);
                    Interleave<T>(from0, from1, row, accumulate);
                }
            }
        }
    }

    /// <summary>dM = A dY Aᵀ of every output tile of samples [n0, n0 + m) (the adjoint of <see cref="TransformOutput{T}"/>; outputs past the image count as zero).</summary>
    private static void TransformOutputAdjoint<T>(T[] dya, int dyo, int n0, int m, T[] dm, int mStride, T[] planes, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, outH = g.OutH, outW = g.OutW, outHW = outH * outW, tc = m * tiles.PerSample, lanes = Vector256<T>.Count;
        var rounded = tiles.RoundedPerSample(lanes);
        ref var dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref var yr = ref MemoryMarshal.GetArrayDataReference(planes);
        var s = (nuint)mStride;
        var q0 = planes.AsSpan(0, rounded);
        var q1 = planes.AsSpan(rounded, rounded);
        var q2 = planes.AsSpan(2 * rounded, rounded);
        var q3 = planes.AsSpan(3 * rounded, rounded);
        // the tiles' four outputs, split out of dY: zero where a tile reaches past the image and past the last tile
        planes.AsSpan(0, 4 * rounded).Clear();
        for (var o = 0; o < k; o++)
        {
            for (var j = 0; j < m; j++)
            {
                var dyn = dya.AsSpan(dyo + ((n0 + j) * k + o) * outHW, outHW);
                for (var p = 0; p < outH; p++)
                {
                    var row = dyn.Slice(p * outW, outW);
                    var even = (p & 1) == 0;
                    var to0 = (even ? q0 : q2).Slice((p >> 1) * tiles.Tw, tiles.Tw);
                    var to1 = (even ? q1 : q3).Slice((p >> 1) * tiles.Tw, tiles.Tw);
                    Deinterleave<T>(row, to0, to1);
                }
                ref var dst0 = ref Unsafe.Add(ref dr, o * tc + j * tiles.PerSample);
                for (var t = 0; t < tiles.PerSample; t += lanes)
                {
                    var y00 = Vector256.LoadUnsafe(ref yr, (nuint)t);
                    var y01 = Vector256.LoadUnsafe(ref yr, (nuint)(rounded + t));
                    var y10 = Vector256.LoadUnsafe(ref yr, (nuint)(2 * rounded + t));
                    var y11 = Vector256.LoadUnsafe(ref yr, (nuint)(3 * rounded + t));
                    // columns (adjoint of y0 = s0 + s1 + s2, y1 = s1 − s2 − s3), then rows the same way
                    Vector256<T> s00 = y00, s01 = y01, s10 = y00 + y10, s11 = y01 + y11, s20 = y00 - y10, s21 = y01 - y11, s30 = -y10, s31 = -y11;
                    ref var dst = ref Unsafe.Add(ref dst0, t);
                    s00.StoreUnsafe(ref dst, 0);
                    (s00 + s01).StoreUnsafe(ref dst, s);
                    (s00 - s01).StoreUnsafe(ref dst, 2 * s);
                    (-s01).StoreUnsafe(ref dst, 3 * s);
                    s10.StoreUnsafe(ref dst, 4 * s);
                    (s10 + s11).StoreUnsafe(ref dst, 5 * s);
                    (s10 - s11).StoreUnsafe(ref dst, 6 * s);
                    (-s11).StoreUnsafe(ref dst, 7 * s);
                    s20.StoreUnsafe(ref dst, 8 * s);
                    (s20 + s21).StoreUnsafe(ref dst, 9 * s);
                    (s20 - s21).StoreUnsafe(ref dst, 10 * s);
                    (-s21).StoreUnsafe(ref dst, 11 * s);
                    s30.StoreUnsafe(ref dst, 12 * s);
                    (s30 + s31).StoreUnsafe(ref dst, 13 * s);
                    (s30 - s31).StoreUnsafe(ref dst, 14 * s);
                    (-s31).StoreUnsafe(ref dst, 15 * s);
                }
            }
        }
    }
}
