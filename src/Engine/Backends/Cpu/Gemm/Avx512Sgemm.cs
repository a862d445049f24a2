using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The engine's own float32 GEMM for CPUs with AVX-512F, row-major: C = alpha·op(A)·op(B) + beta·C.
/// <para>
/// Layout (the usual blocked GEMM): k is cut into <see cref="KcMax"/>-sized blocks, n into <see cref="NcMax"/> and m
/// into <see cref="McMax"/>; op(B)'s block is packed into zero-padded panels <see cref="Nr"/> columns wide, op(A)'s
/// into panels <see cref="Mr"/> rows tall (k-major, so the kernel broadcasts a row element at a time), both in
/// per-thread 64-byte aligned scratch that is reused across calls. Row-major (untransposed) A is read in place by the
/// kernel instead (measured faster on the engine's shapes: the 8 rows stream through L1 as well as a packed panel), and
/// so is row-major B when C has few rows (see <see cref="InPlaceBRows"/>). A register tile of Mr × Nr (16 zmm accumulators)
/// runs over one k block; ragged rows are computed on zero padding and not stored, ragged columns are stored with
/// masks.
/// </para>
/// <para>
/// Summation order: every element of C is, for each k block in order, a chain of fused multiply-adds over that
/// block's k starting from zero, then folded into C as alpha·acc + beta·C (first block) or alpha·acc + C (later
/// blocks). The k blocks depend only on k, so an element's result depends only on k and its inputs, never on m, n,
/// where its tile sits, or how callers split rows across threads.
/// </para>
/// </summary>
internal static unsafe class Avx512Sgemm
{
    /// <summary>Rows of the register tile.</summary>
    public const int Mr = 8;

    /// <summary>Columns of the register tile (two zmm vectors).</summary>
    public const int Nr = 32;

    /// <summary>Longest k block: the kernel's B panel (KcMax × Nr floats) stays in L1.</summary>
    public const int KcMax = 320;

    /// <summary>Rows of A packed at once (McMax × KcMax floats stay in L2).</summary>
    public const int McMax = 192;

    /// <summary>Columns of B packed at once.</summary>
    public const int NcMax = 2048;

    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// Row-major B is read in place, not packed, when C has at most this many rows (measured on a Zen 5: 32 × 32 × 320
    /// 225 → 260 GFLOP/s, 64 × 256 × 576 229 → 260; with 128 rows and B rows 8 KiB apart, 240 → 200, so not above).
    /// </summary>
    private const int InPlaceBRows = 64;

    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>C = alpha·op(A)·op(B) + beta·C; the caller has checked the operands' extents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }
        if (k <= 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        var kBlocks = (k + KcMax - 1) / KcMax;
        var kcStep = (k + kBlocks - 1) / kBlocks;
        var nc = Math.Min(NcMax, RoundUp(n, Nr));
        var mc = Math.Min(McMax, RoundUp(m, Mr));
        var aFloats = mc * kcStep;
        var bFloats = nc * kcStep;
        var scratch = Scratch(aFloats + bFloats + 32);
        fixed (float* s = scratch)
        {
            var pa = (float*)(((nint)s + 63) & ~(nint)63);
            var pb = pa + RoundUp(aFloats, 16);
            for (var k0 = 0; k0 < k; k0 += kcStep)
            {
                var kc = Math.Min(kcStep, k - k0);
                var first = k0 == 0;
                for (var j0 = 0; j0 < n; j0 += NcMax)
                {
                    var nb = Math.Min(NcMax, n - j0);
                    // row-major B is read in place (full panels) when few row tiles share it; its last panel is
                    // packed when ragged
                    var inPlaceB = !tb && m <= InPlaceBRows;
                    var packedFrom = inPlaceB ? nb / Nr * Nr : 0;
                    if (packedFrom < nb)
                    {
                        PackB(tb, b, ldb, k0, kc, j0 + packedFrom, nb - packedFrom, pb + packedFrom * kc);
                    }
                    for (var i0 = 0; i0 < m; i0 += McMax)
                    {
                        var mb = Math.Min(McMax, m - i0);
                        // row-major A is read in place by the full-width kernel; packed only for a narrow last panel
                        var inPlaceA = !ta;
                        if (!inPlaceA || nb % Nr is > 0 and <= Nr / 2)
                        {
                            PackA(ta, a, lda, k0, kc, i0, mb, pa);
                        }
                        for (var jr = 0; jr < nb; jr += Nr)
                        {
                            var cols = Math.Min(Nr, nb - jr);
                            var bPanel = pb + jr * kc;
                            for (var ir = 0; ir < mb; ir += Mr)
                            {
                                var rows = Math.Min(Mr, mb - ir);
                                var cTile = c + (long)(i0 + ir) * ldc + j0 + jr;
                                // a full panel of row-major B is read in place when few row tiles share it
                                var bInPlace = inPlaceB && cols == Nr;
                                var bTile = bInPlace ? b + (long)k0 * ldb + j0 + jr : bPanel;
                                var bStride = bInPlace ? ldb : Nr;
                                if (cols > Nr / 2 && inPlaceA)
                                {
                                    KernelRowMajorA(kc, a + (long)(i0 + ir) * lda + k0, lda, bTile, bStride, cTile, ldc, rows, cols, alpha, beta, first);
                                }
                                else if (cols > Nr / 2)
                                {
                                    Kernel(kc, pa + ir * kc, bTile, bStride, cTile, ldc, rows, cols, alpha, beta, first);
                                }
                                else
                                {
                                    KernelHalf(kc, pa + ir * kc, bPanel, cTile, ldc, rows, cols, alpha, beta, first);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    private static float[] Scratch(int floats)
    {
        var s = t_scratch;
        if (s is null || s.Length < floats)
        {
            s = GC.AllocateUninitializedArray<float>(Math.Max(floats, s?.Length * 2 ?? 0), pinned: true);
            t_scratch = s;
        }
        return s;
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (var i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                for (var j = 0; j < n; j++)
                {
                    row[j] *= beta;
                }
            }
        }
    }

    /// <summary>A lane mask with the first <paramref name="count"/> lanes set (count may be ≤ 0 or ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>
    /// Packs op(A)[i0 : i0+mb, k0 : k0+kc] into panels of <see cref="Mr"/> rows: panel q holds, for each p, the Mr
    /// values op(A)[i0 + q·Mr + r, k0 + p] at pa[q·Mr·kc + p·Mr + r], rows past mb zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool ta, float* a, int lda, int k0, int kc, int i0, int mb, float* pa)
    {
        for (var q = 0; q < mb; q += Mr)
        {
            var rows = Math.Min(Mr, mb - q);
            var dst = pa + q * kc;
            if (ta)
            {
                // op(A)[i, p] = a[p·lda + i]: each p reads rows contiguous values
                var src = a + (long)k0 * lda + i0 + q;
                if (rows == Mr)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        Vector256.Store(Vector256.Load(src + (long)p * lda), dst + p * Mr);
                    }
                }
                else
                {
                    for (var p = 0; p < kc; p++)
                    {
                        for (var r = 0; r < Mr; r++)
                        {
                            dst[p * Mr + r] = r < rows ? src[(long)p * lda + r] : 0f;
                        }
                    }
                }
            }
            else
            {
                // op(A)[i, p] = a[i·lda + p]: 8 × 8 blocks transposed in registers, the k tail one value at a time
                var src = a + (long)(i0 + q) * lda + k0;
                var p = 0;
                if (rows == Mr)
                {
                    for (; p + 8 <= kc; p += 8)
                    {
                        Transpose8x8(src + p, lda, dst + p * Mr, Mr);
                    }
                }
                for (; p < kc; p++)
                {
                    for (var r = 0; r < Mr; r++)
                    {
                        dst[p * Mr + r] = r < rows ? src[(long)r * lda + p] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[k0 : k0+kc, j0 : j0+nb] into panels of <see cref="Nr"/> columns: panel q holds, for each p, the Nr
    /// values op(B)[k0 + p, j0 + q·Nr + j] at pb[q·Nr·kc + p·Nr + j], columns past nb zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool tb, float* b, int ldb, int k0, int kc, int j0, int nb, float* pb)
    {
        for (var q = 0; q < nb; q += Nr)
        {
            var cols = Math.Min(Nr, nb - q);
            var dst = pb + q * kc;
            if (cols <= Nr / 2)
            {
                PackBHalf(tb, b, ldb, k0, kc, j0 + q, cols, dst);
                continue;
            }
            if (!tb)
            {
                // op(B)[p, j] = b[p·ldb + j]: rows are contiguous
                var src = b + (long)k0 * ldb + j0 + q;
                if (cols == Nr)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        var row = src + (long)p * ldb;
                        Vector512.Store(Vector512.Load(row), dst + p * Nr);
                        Vector512.Store(Vector512.Load(row + 16), dst + p * Nr + 16);
                    }
                }
                else
                {
                    var m0 = Mask(cols);
                    var m1 = Mask(cols - 16);
                    for (var p = 0; p < kc; p++)
                    {
                        var row = src + (long)p * ldb;
                        Vector512.Store(Avx512F.MaskLoad(row, m0, Vector512<float>.Zero), dst + p * Nr);
                        Vector512.Store(Avx512F.MaskLoad(row + 16, m1, Vector512<float>.Zero), dst + p * Nr + 16);
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j·ldb + p]: 8 × 8 blocks transposed in registers, the k tail one value at a time
                var src = b + (long)(j0 + q) * ldb + k0;
                var p = 0;
                if (cols == Nr)
                {
                    for (; p + 8 <= kc; p += 8)
                    {
                        for (var j = 0; j < Nr; j += 8)
                        {
                            Transpose8x8(src + (long)j * ldb + p, ldb, dst + p * Nr + j, Nr);
                        }
                    }
                }
                for (; p < kc; p++)
                {
                    for (var j = 0; j < Nr; j++)
                    {
                        dst[p * Nr + j] = j < cols ? src[(long)j * ldb + p] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>A last panel of at most Nr / 2 columns, packed Nr / 2 wide (pb[p·Nr/2 + j]) for <see cref="KernelHalf"/>.</summary>
    private static void PackBHalf(bool tb, float* b, int ldb, int k0, int kc, int j0, int cols, float* dst)
    {
        const int w = Nr / 2;
        if (!tb)
        {
            var src = b + (long)k0 * ldb + j0;
            var mask = Mask(cols);
            for (var p = 0; p < kc; p++)
            {
                Vector512.Store(Avx512F.MaskLoad(src + (long)p * ldb, mask, Vector512<float>.Zero), dst + p * w);
            }
        }
        else
        {
            var src = b + (long)j0 * ldb + k0;
            var p = 0;
            if (cols == w)
            {
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8(src + p, ldb, dst + p * w, w);
                    Transpose8x8(src + 8L * ldb + p, ldb, dst + p * w + 8, w);
                }
            }
            for (; p < kc; p++)
            {
                for (var j = 0; j < w; j++)
                {
                    dst[p * w + j] = j < cols ? src[(long)j * ldb + p] : 0f;
                }
            }
        }
    }

    /// <summary>dst[c·dstStride + r] = src[r·srcStride + c] for an 8 × 8 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long srcStride, float* dst, int dstStride)
    {
        var r0 = Vector256.Load(src);
        var r1 = Vector256.Load(src + srcStride);
        var r2 = Vector256.Load(src + 2 * srcStride);
        var r3 = Vector256.Load(src + 3 * srcStride);
        var r4 = Vector256.Load(src + 4 * srcStride);
        var r5 = Vector256.Load(src + 5 * srcStride);
        var r6 = Vector256.Load(src + 6 * srcStride);
        var r7 = Vector256.Load(src + 7 * srcStride);
        // interleave pairs of rows: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], …
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        // groups of four rows: u0 = column 0 of rows 0-3 | column 4 of rows 0-3, …
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), dst);
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), dst + dstStride);
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), dst + 2 * dstStride);
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), dst + 3 * dstStride);
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), dst + 4 * dstStride);
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), dst + 5 * dstStride);
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), dst + 6 * dstStride);
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), dst + 7 * dstStride);
    }

    /// <summary>
    /// One Mr × Nr tile of C over one k block: pa is the A panel (kc × Mr), pb the B panel (kc × Nr); only the first
    /// rows × cols of the tile are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int kc, float* pa, float* pb, int bStride, float* c, int ldc, int rows, int cols, float alpha, float beta, bool first)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            var a = Vector512.Create(pa[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(pa[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(pa[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a, b1, c71);
            pa += Mr;
            pb += bStride;
        }
        var m0 = Mask(cols);
        var m1 = Mask(cols - 16);
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        var mode = first ? (beta == 0f ? StoreMode.Overwrite : StoreMode.Scale) : StoreMode.Accumulate;
        Store(c, c00, c01, m0, m1, va, vb, mode);
        if (rows > 1) Store(c + ldc, c10, c11, m0, m1, va, vb, mode);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, m0, m1, va, vb, mode);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, m0, m1, va, vb, mode);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, m0, m1, va, vb, mode);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, m0, m1, va, vb, mode);
        if (rows > 6) Store(c + 6 * ldc, c60, c61, m0, m1, va, vb, mode);
        if (rows > 7) Store(c + 7 * ldc, c70, c71, m0, m1, va, vb, mode);
    }

    /// <summary>
    /// <see cref="Kernel"/> reading row-major A in place (a: the tile's first row at its k block, lda apart); rows past
    /// the last are read from the last row again (computed, never stored), so nothing outside A is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRowMajorA(int kc, float* a, int lda, float* pb, int bStride, float* c, int ldc, int rows, int cols, float alpha, float beta, bool first)
    {
        var a0 = a;
        var a1 = a + (long)Math.Min(1, rows - 1) * lda;
        var a2 = a + (long)Math.Min(2, rows - 1) * lda;
        var a3 = a + (long)Math.Min(3, rows - 1) * lda;
        var a4 = a + (long)Math.Min(4, rows - 1) * lda;
        var a5 = a + (long)Math.Min(5, rows - 1) * lda;
        var a6 = a + (long)Math.Min(6, rows - 1) * lda;
        var a7 = a + (long)Math.Min(7, rows - 1) * lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (nint p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            var x = Vector512.Create(a0[p]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            pb += bStride;
        }
        var m0 = Mask(cols);
        var m1 = Mask(cols - 16);
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        var mode = first ? (beta == 0f ? StoreMode.Overwrite : StoreMode.Scale) : StoreMode.Accumulate;
        Store(c, c00, c01, m0, m1, va, vb, mode);
        if (rows > 1) Store(c + ldc, c10, c11, m0, m1, va, vb, mode);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, m0, m1, va, vb, mode);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, m0, m1, va, vb, mode);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, m0, m1, va, vb, mode);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, m0, m1, va, vb, mode);
        if (rows > 6) Store(c + 6 * ldc, c60, c61, m0, m1, va, vb, mode);
        if (rows > 7) Store(c + 7 * ldc, c70, c71, m0, m1, va, vb, mode);
    }

    /// <summary><see cref="Kernel"/> for a last panel of at most Nr / 2 columns (pb is kc × Nr / 2): the same summation order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelHalf(int kc, float* pa, float* pb, float* c, int ldc, int rows, int cols, float alpha, float beta, bool first)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(pb);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[0]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[1]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[2]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[3]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[4]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[5]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[6]), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(pa[7]), b0, c7);
            pa += Mr;
            pb += Nr / 2;
        }
        var m0 = Mask(cols);
        var m1 = Vector512<float>.Zero;
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        var mode = first ? (beta == 0f ? StoreMode.Overwrite : StoreMode.Scale) : StoreMode.Accumulate;
        Store(c, c0, c0, m0, m1, va, vb, mode);
        if (rows > 1) Store(c + ldc, c1, c1, m0, m1, va, vb, mode);
        if (rows > 2) Store(c + 2 * ldc, c2, c2, m0, m1, va, vb, mode);
        if (rows > 3) Store(c + 3 * ldc, c3, c3, m0, m1, va, vb, mode);
        if (rows > 4) Store(c + 4 * ldc, c4, c4, m0, m1, va, vb, mode);
        if (rows > 5) Store(c + 5 * ldc, c5, c5, m0, m1, va, vb, mode);
        if (rows > 6) Store(c + 6 * ldc, c6, c6, m0, m1, va, vb, mode);
        if (rows > 7) Store(c + 7 * ldc, c7, c7, m0, m1, va, vb, mode);
    }

    private enum StoreMode
    {
        /// <summary>C = alpha·acc (beta = 0: C is not read, so garbage and NaN in it are overwritten).</summary>
        Overwrite,

        /// <summary>C = alpha·acc + beta·C.</summary>
        Scale,

        /// <summary>C = alpha·acc + C (the later k blocks).</summary>
        Accumulate,
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> m0, Vector512<float> m1, Vector512<float> alpha, Vector512<float> beta, StoreMode mode)
    {
        Vector512<float> r0, r1;
        if (mode == StoreMode.Overwrite)
        {
            r0 = v0 * alpha;
            r1 = v1 * alpha;
        }
        else
        {
            var o0 = Avx512F.MaskLoad(c, m0, Vector512<float>.Zero);
            var o1 = Avx512F.MaskLoad(c + 16, m1, Vector512<float>.Zero);
            if (mode == StoreMode.Scale)
            {
                o0 *= beta;
                o1 *= beta;
            }
            r0 = Avx512F.FusedMultiplyAdd(v0, alpha, o0);
            r1 = Avx512F.FusedMultiplyAdd(v1, alpha, o1);
        }
        Avx512F.MaskStore(c, m0, r0);
        Avx512F.MaskStore(c + 16, m1, r1);
    }
}
