using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU convolution of 3x3 stride-1 layers by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016): each 2x2 output tile is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of the
/// 4x4 input tile d that covers it, so a layer is 16 GEMMs [K, C]·[C, tiles] (16 multiplies per 4 outputs and input
/// channel, against 36 for im2col + GEMM). The backward passes are the exact adjoints of that forward computation:
/// dM = A dY Aᵀ per tile, the input gradient is the adjoint input transform of Uᵀ·dM, the weight gradient is
/// Gᵀ(Σ_tiles dM ⊙ V)G, i.e. 16 GEMMs dM·Vᵀ. Chunks of samples depend only on the geometry; the weight gradient
/// adds the chunks' sums in chunk order, so results are the same for any thread count.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Fewest input and output channels for which the Winograd path is used (below it the transforms cost more than the GEMMs save).</summary>
    public const int WinogradMinChannels = 8;

    /// <summary>Whether <see cref="Conv2dForward"/> and its gradients run the Winograd F(2x2, 3x3) path for this geometry.</summary>
    public static bool UsesWinograd(ConvGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 &&
        g.InChannels >= WinogradMinChannels && g.OutChannels >= WinogradMinChannels;

    /// <summary>Tiles per sample (th × tw 2x2 output tiles) and the zero-padded input plane they read (hp × wp).</summary>
    private readonly record struct WinogradTiles(int Th, int Tw)
    {
        public int PerSample => Th * Tw;

        public int Hp => 2 * Th + 2;

        public int Wp => 2 * Tw + 2;

        public static WinogradTiles Of(ConvGeometry g) => new((g.OutH + 1) / 2, (g.OutW + 1) / 2);
    }

    /// <summary>Floats of one transformed operand per chunk ([16, channels, tiles]): about 1 MiB.</summary>
    private const long WinogradBudget = 1 << 18;

    private static (int PerChunk, int Chunks) WinogradChunks(ConvGeometry g, WinogradTiles tiles)
    {
        var perSample = 16L * Math.Max(g.InChannels, g.OutChannels) * tiles.PerSample;
        var perChunk = (int)Math.Clamp(WinogradBudget / Math.Max(1, perSample), 1, g.Batch);
        perChunk = Math.Max(1, Math.Min(perChunk, (g.Batch + MinChunks - 1) / MinChunks));
        return (perChunk, (g.Batch + perChunk - 1) / perChunk);
    }

    private static int WinogradGrain(ConvGeometry g, WinogradTiles tiles, int perChunk, int chunks) =>
        CpuParallel.GrainForElements(chunks, (long)perChunk * tiles.PerSample * 16 * g.InChannels * g.OutChannels / 32);

    private static void WinogradForward<T>(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var ya = ((CpuStorage)y.Storage).Array<T>();
        var ba = bias is null ? null : ((CpuStorage)bias.Storage).Array<T>();
        int xo = (int)x.Offset, yo = (int)y.Offset, bo = (int)(bias?.Offset ?? 0);
        int c = g.InChannels, k = g.OutChannels;
        var tiles = WinogradTiles.Of(g);
        var u = TransformWeights<T>(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, k * c * 9), k, c);
        var (perChunk, chunks) = WinogradChunks(g, tiles);
        CpuParallel.For(chunks, WinogradGrain(g, tiles, perChunk, chunks), (c0, c1) =>
        {
            var v = ArrayPool<T>.Shared.Rent(16 * c * perChunk * tiles.PerSample);
            var mm = ArrayPool<T>.Shared.Rent(16 * k * perChunk * tiles.PerSample);
            var plane = ArrayPool<T>.Shared.Rent(tiles.Hp * tiles.Wp);
            try
            {
                for (var ch = c0; ch < c1; ch++)
                {
                    int n0 = ch * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, tc = m * tiles.PerSample;
                    TransformInput<T>(xa, xo, n0, m, v, plane, g, tiles);
                    for (var xi = 0; xi < 16; xi++)
                    {
                        Cpu.Gemm.Single(false, false, k, tc, c, T.One, u.AsSpan(xi * k * c, k * c), c, v.AsSpan(xi * c * tc, c * tc), tc, T.Zero, mm.AsSpan(xi * k * tc, k * tc), tc);
                    }
                    TransformOutput(mm, tc, ya, yo, ba, bo, n0, m, g, tiles);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(v);
                ArrayPool<T>.Shared.Return(mm);
                ArrayPool<T>.Shared.Return(plane);
            }
        });
    }

    private static void WinogradBackwardData<T>(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var dxa = ((CpuStorage)dx.Storage).Array<T>();
        int dyo = (int)dy.Offset, dxo = (int)dx.Offset;
        int c = g.InChannels, k = g.OutChannels;
        var tiles = WinogradTiles.Of(g);
        var u = TransformWeights<T>(((CpuStorage)w.Storage).Array<T>().AsSpan((int)w.Offset, k * c * 9), k, c);
        var (perChunk, chunks) = WinogradChunks(g, tiles);
        CpuParallel.For(chunks, WinogradGrain(g, tiles, perChunk, chunks), (c0, c1) =>
        {
            var dv = ArrayPool<T>.Shared.Rent(16 * c * perChunk * tiles.PerSample);
            var dm = ArrayPool<T>.Shared.Rent(16 * k * perChunk * tiles.PerSample);
            var plane = ArrayPool<T>.Shared.Rent(tiles.Hp * tiles.Wp);
            try
            {
                for (var ch = c0; ch < c1; ch++)
                {
                    int n0 = ch * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, tc = m * tiles.PerSample;
                    TransformOutputAdjoint<T>(dya, dyo, n0, m, dm, g, tiles);
                    for (var xi = 0; xi < 16; xi++)
                    {
                        Cpu.Gemm.Single(true, false, c, tc, k, T.One, u.AsSpan(xi * k * c, k * c), c, dm.AsSpan(xi * k * tc, k * tc), tc, T.Zero, dv.AsSpan(xi * c * tc, c * tc), tc);
                    }
                    TransformInputAdjoint(dv, tc, dxa, dxo, n0, m, plane, accumulate, g, tiles);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(dv);
                ArrayPool<T>.Shared.Return(dm);
                ArrayPool<T>.Shared.Return(plane);
            }
        });
    }

    private static void WinogradBackwardFilter<T>(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = ((CpuStorage)x.Storage).Array<T>();
        var dya = ((CpuStorage)dy.Storage).Array<T>();
        var dwa = ((CpuStorage)dw.Storage).Array<T>();
        int xo = (int)x.Offset, dyo = (int)dy.Offset, dwo = (int)dw.Offset;
        int c = g.InChannels, k = g.OutChannels;
        var tiles = WinogradTiles.Of(g);
        var (perChunk, chunks) = WinogradChunks(g, tiles);
        var partials = new T[chunks][];
        CpuParallel.For(chunks, WinogradGrain(g, tiles, perChunk, chunks), (c0, c1) =>
        {
            var v = ArrayPool<T>.Shared.Rent(16 * c * perChunk * tiles.PerSample);
            var dm = ArrayPool<T>.Shared.Rent(16 * k * perChunk * tiles.PerSample);
            var plane = ArrayPool<T>.Shared.Rent(tiles.Hp * tiles.Wp);
            try
            {
                for (var ch = c0; ch < c1; ch++)
                {
                    int n0 = ch * perChunk, m = Math.Min(g.Batch, n0 + perChunk) - n0, tc = m * tiles.PerSample;
                    TransformInput<T>(xa, xo, n0, m, v, plane, g, tiles);
                    TransformOutputAdjoint<T>(dya, dyo, n0, m, dm, g, tiles);
                    // the chunk's sum over its tiles: dU_ξ [K, C] = dM_ξ [K, tiles] · V_ξᵀ [tiles, C]
                    var partial = new T[16 * k * c];
                    for (var xi = 0; xi < 16; xi++)
                    {
                        Cpu.Gemm.Single(false, true, k, c, tc, T.One, dm.AsSpan(xi * k * tc, k * tc), tc, v.AsSpan(xi * c * tc, c * tc), tc, T.Zero, partial.AsSpan(xi * k * c, k * c), c);
                    }
                    partials[ch] = partial;
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(v);
                ArrayPool<T>.Shared.Return(dm);
                ArrayPool<T>.Shared.Return(plane);
            }
        });
        var du = partials[0];
        for (var ch = 1; ch < chunks; ch++)
        {
            TensorPrimitives.Add(du, partials[ch], du);
        }
        TransformWeightsAdjoint<T>(du, dwa.AsSpan(dwo, k * c * 9), k, c, accumulate);
    }

    /// <summary>U_ξ = (G g Gᵀ)_ξ for every (k, c): [16, K, C].</summary>
    private static T[] TransformWeights<T>(ReadOnlySpan<T> w, int k, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var half = T.CreateTruncating(0.5);
        var u = new T[16 * k * c];
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

    /// <summary>Copies channel plane x [H, W] into the zero-padded plane [hp, wp] the tiles read (input row h at row h + padH).</summary>
    private static void PadPlane<T>(ReadOnlySpan<T> x, Span<T> plane, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged
    {
        plane.Clear();
        var wp = tiles.Wp;
        for (var h = 0; h < g.InH; h++)
        {
            var r = h + g.PadH;
            if (r >= tiles.Hp)
            {
                break;
            }
            var w0 = Math.Max(0, -g.PadW);
            var cols = Math.Min(g.InW, wp - g.PadW) - w0;
            if (cols > 0)
            {
                x.Slice(h * g.InW + w0, cols).CopyTo(plane.Slice(r * wp + w0 + g.PadW, cols));
            }
        }
    }

    /// <summary>V_ξ [C, tiles] = (Bᵀ d B)_ξ of every 4x4 input tile d of samples [n0, n0 + m): [16, C, m·th·tw].</summary>
    private static void TransformInput<T>(T[] xa, int xo, int n0, int m, T[] v, T[] planeBuffer, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, inSize = c * g.InH * g.InW, hw = g.InH * g.InW, tc = m * tiles.PerSample, wp = tiles.Wp;
        var plane = planeBuffer.AsSpan(0, tiles.Hp * wp);
        var stride = c * tc;
        for (var j = 0; j < m; j++)
        {
            for (var ci = 0; ci < c; ci++)
            {
                PadPlane<T>(xa.AsSpan(xo + (n0 + j) * inSize + ci * hw, hw), plane, g, tiles);
                var dst = v.AsSpan(ci * tc + j * tiles.PerSample);
                for (var ti = 0; ti < tiles.Th; ti++)
                {
                    for (var tj = 0; tj < tiles.Tw; tj++)
                    {
                        var p = plane.Slice(2 * ti * wp + 2 * tj);
                        // rows: Bᵀ applied along each of the tile's four rows
                        T a0 = p[0] - p[2], a1 = p[1] + p[2], a2 = p[2] - p[1], a3 = p[1] - p[3];
                        var q = p.Slice(wp);
                        T b0 = q[0] - q[2], b1 = q[1] + q[2], b2 = q[2] - q[1], b3 = q[1] - q[3];
                        q = p.Slice(2 * wp);
                        T c0 = q[0] - q[2], c1 = q[1] + q[2], c2 = q[2] - q[1], c3 = q[1] - q[3];
                        q = p.Slice(3 * wp);
                        T d0 = q[0] - q[2], d1 = q[1] + q[2], d2 = q[2] - q[1], d3 = q[1] - q[3];
                        var t = ti * tiles.Tw + tj;
                        // columns: Bᵀ applied down each of the four resulting columns
                        dst[t] = a0 - c0;
                        dst[stride + t] = a1 - c1;
                        dst[2 * stride + t] = a2 - c2;
                        dst[3 * stride + t] = a3 - c3;
                        dst[4 * stride + t] = b0 + c0;
                        dst[5 * stride + t] = b1 + c1;
                        dst[6 * stride + t] = b2 + c2;
                        dst[7 * stride + t] = b3 + c3;
                        dst[8 * stride + t] = c0 - b0;
                        dst[9 * stride + t] = c1 - b1;
                        dst[10 * stride + t] = c2 - b2;
                        dst[11 * stride + t] = c3 - b3;
                        dst[12 * stride + t] = b0 - d0;
                        dst[13 * stride + t] = b1 - d1;
                        dst[14 * stride + t] = b2 - d2;
                        dst[15 * stride + t] = b3 - d3;
                    }
                }
            }
        }
    }

    /// <summary>dx (+)= the adjoint of <see cref="TransformInput{T}"/> applied to dV [16, C, tiles]: each tile's B dV Bᵀ added back where the tile lies.</summary>
    private static void TransformInputAdjoint<T>(T[] dv, int tc, T[] dxa, int dxo, int n0, int m, T[] planeBuffer, bool accumulate, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.InChannels, inSize = c * g.InH * g.InW, hw = g.InH * g.InW, wp = tiles.Wp;
        var plane = planeBuffer.AsSpan(0, tiles.Hp * wp);
        var stride = c * tc;
        for (var j = 0; j < m; j++)
        {
            for (var ci = 0; ci < c; ci++)
            {
                plane.Clear();
                var src = dv.AsSpan(ci * tc + j * tiles.PerSample);
                for (var ti = 0; ti < tiles.Th; ti++)
                {
                    for (var tj = 0; tj < tiles.Tw; tj++)
                    {
                        var t = ti * tiles.Tw + tj;
                        // columns (adjoint): row a of the tile from the four transformed rows
                        T v00 = src[t], v01 = src[stride + t], v02 = src[2 * stride + t], v03 = src[3 * stride + t];
                        T v10 = src[4 * stride + t], v11 = src[5 * stride + t], v12 = src[6 * stride + t], v13 = src[7 * stride + t];
                        T v20 = src[8 * stride + t], v21 = src[9 * stride + t], v22 = src[10 * stride + t], v23 = src[11 * stride + t];
                        T v30 = src[12 * stride + t], v31 = src[13 * stride + t], v32 = src[14 * stride + t], v33 = src[15 * stride + t];
                        T a0 = v00, a1 = v01, a2 = v02, a3 = v03;
                        T b0 = v10 - v20 + v30, b1 = v11 - v21 + v31, b2 = v12 - v22 + v32, b3 = v13 - v23 + v33;
                        T c0 = v10 + v20 - v00, c1 = v11 + v21 - v01, c2 = v12 + v22 - v02, c3 = v13 + v23 - v03;
                        T d0 = -v30, d1 = -v31, d2 = -v32, d3 = -v33;
                        var p = plane.Slice(2 * ti * wp + 2 * tj);
                        AddRowAdjoint(p, a0, a1, a2, a3);
                        AddRowAdjoint(p.Slice(wp), b0, b1, b2, b3);
                        AddRowAdjoint(p.Slice(2 * wp), c0, c1, c2, c3);
                        AddRowAdjoint(p.Slice(3 * wp), d0, d1, d2, d3);
                    }
                }
                var dxn = dxa.AsSpan(dxo + (n0 + j) * inSize + ci * hw, hw);
                for (var h = 0; h < g.InH; h++)
                {
                    var row = dxn.Slice(h * g.InW, g.InW);
                    var from = plane.Slice((h + g.PadH) * wp + g.PadW, g.InW);
                    if (accumulate)
                    {
                        TensorPrimitives.Add(row, from, row);
                    }
                    else
                    {
                        from.CopyTo(row);
                    }
                }
            }
        }
    }

    /// <summary>p[0..4) += B·(v0, v1, v2, v3): the adjoint of one row's Bᵀ transform.</summary>
    private static void AddRowAdjoint<T>(Span<T> p, T v0, T v1, T v2, T v3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        p[0] += v0;
        p[1] += v1 - v2 + v3;
        p[2] += v1 + v2 - v0;
        p[3] -= v3;
    }

    /// <summary>y = Aᵀ M A (+ bias) for every tile of samples [n0, n0 + m), M [16, K, tiles]; outputs past the image's last row or column are dropped.</summary>
    private static void TransformOutput<T>(T[] mm, int tc, T[] ya, int yo, T[]? ba, int bo, int n0, int m, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, outH = g.OutH, outW = g.OutW, outHW = outH * outW;
        var stride = k * tc;
        for (var j = 0; j < m; j++)
        {
            for (var o = 0; o < k; o++)
            {
                var src = mm.AsSpan(o * tc + j * tiles.PerSample);
                var yn = ya.AsSpan(yo + ((n0 + j) * k + o) * outHW, outHW);
                var b = ba is null ? T.Zero : ba[bo + o];
                for (var ti = 0; ti < tiles.Th; ti++)
                {
                    for (var tj = 0; tj < tiles.Tw; tj++)
                    {
                        var t = ti * tiles.Tw + tj;
                        // rows of M: s_a = (m_a0 + m_a1 + m_a2, m_a1 − m_a2 − m_a3)
                        T s00 = src[t] + src[stride + t] + src[2 * stride + t], s01 = src[stride + t] - src[2 * stride + t] - src[3 * stride + t];
                        T s10 = src[4 * stride + t] + src[5 * stride + t] + src[6 * stride + t], s11 = src[5 * stride + t] - src[6 * stride + t] - src[7 * stride + t];
                        T s20 = src[8 * stride + t] + src[9 * stride + t] + src[10 * stride + t], s21 = src[9 * stride + t] - src[10 * stride + t] - src[11 * stride + t];
                        T s30 = src[12 * stride + t] + src[13 * stride + t] + src[14 * stride + t], s31 = src[13 * stride + t] - src[14 * stride + t] - src[15 * stride + t];
                        int p = 2 * ti, q = 2 * tj;
                        var top = p * outW + q;
                        yn[top] = s00 + s10 + s20 + b;
                        var right = q + 1 < outW;
                        if (right)
                        {
                            yn[top + 1] = s01 + s11 + s21 + b;
                        }
                        if (p + 1 < outH)
                        {
                            yn[top + outW] = s10 - s20 - s30 + b;
                            if (right)
                            {
                                yn[top + outW + 1] = s11 - s21 - s31 + b;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>dM [16, K, tiles] = A dY Aᵀ of every output tile of samples [n0, n0 + m) (the adjoint of <see cref="TransformOutput{T}"/>; outputs past the image count as zero).</summary>
    private static void TransformOutputAdjoint<T>(T[] dya, int dyo, int n0, int m, T[] dm, ConvGeometry g, WinogradTiles tiles)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.OutChannels, outH = g.OutH, outW = g.OutW, outHW = outH * outW, tc = m * tiles.PerSample;
        var stride = k * tc;
        for (var j = 0; j < m; j++)
        {
            for (var o = 0; o < k; o++)
            {
                var dst = dm.AsSpan(o * tc + j * tiles.PerSample);
                var dyn = dya.AsSpan(dyo + ((n0 + j) * k + o) * outHW, outHW);
                for (var ti = 0; ti < tiles.Th; ti++)
                {
                    for (var tj = 0; tj < tiles.Tw; tj++)
                    {
                        int p = 2 * ti, q = 2 * tj, top = p * outW + q;
                        bool right = q + 1 < outW, down = p + 1 < outH;
                        T y00 = dyn[top], y01 = right ? dyn[top + 1] : T.Zero;
                        T y10 = down ? dyn[top + outW] : T.Zero, y11 = down && right ? dyn[top + outW + 1] : T.Zero;
                        // columns (adjoint of y0 = s0 + s1 + s2, y1 = s1 − s2 − s3), then rows the same way
                        T s00 = y00, s01 = y01, s10 = y00 + y10, s11 = y01 + y11, s20 = y00 - y10, s21 = y01 - y11, s30 = -y10, s31 = -y11;
                        var t = ti * tiles.Tw + tj;
                        dst[t] = s00;
                        dst[stride + t] = s00 + s01;
                        dst[2 * stride + t] = s00 - s01;
                        dst[3 * stride + t] = -s01;
                        dst[4 * stride + t] = s10;
                        dst[5 * stride + t] = s10 + s11;
                        dst[6 * stride + t] = s10 - s11;
                        dst[7 * stride + t] = -s11;
                        dst[8 * stride + t] = s20;
                        dst[9 * stride + t] = s20 + s21;
                        dst[10 * stride + t] = s20 - s21;
                        dst[11 * stride + t] = -s21;
                        dst[12 * stride + t] = s30;
                        dst[13 * stride + t] = s30 + s31;
                        dst[14 * stride + t] = s30 - s31;
                        dst[15 * stride + t] = -s31;
                    }
                }
            }
        }
    }
}
