using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// The CPU fused GroupNorm + FiLM + SiLU (the formulas of kernels/groupnorm.cu), in 512-bit vectors: statistics in two
/// passes, one pass that writes y, and a backward that keeps dL/dh of the group between its two passes.
/// </summary>
public sealed partial class CpuBackend
{
    public void GroupNormSiLUForward(Tensor x, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        if (x.DType == DType.BF16)
        {
            GroupNormForwardBf16(x, y, (xf, yf) => GroupNormSiLUForward<float>(xf, gamma, beta, scale, shift, groups, eps, yf, mean, rstd));
            return;
        }
        DTypeDispatch.For(x.DType, GroupNormSiLUForward<float>, GroupNormSiLUForward<double>)(x, gamma, beta, scale, shift, groups, eps, y, mean, rstd);
    }

    public void GroupNormSiLUBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, Tensor? dscale, Tensor? dshift)
    {
        if (x.DType == DType.BF16)
        {
            GroupNormBackwardBf16(x, dy, dx, accumulateDx,
                (xf, dyf, dxf) => GroupNormSiLUBackward<float>(xf, dyf, mean, rstd, gamma, beta, scale, shift, groups, dxf, accumulateDx, dgamma, dbeta, dscale, dshift));
            return;
        }
        DTypeDispatch.For(x.DType, GroupNormSiLUBackward<float>, GroupNormSiLUBackward<double>)(x, dy, mean, rstd, gamma, beta, scale, shift, groups, dx, accumulateDx, dgamma, dbeta, dscale, dshift);
    }

    private static void GroupNormSiLUForward<T>(Tensor xt, Tensor? gt, Tensor? bt, Tensor? st, Tensor? sht, int groups, double eps, Tensor yt, Tensor mt, Tensor rt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Shape[0], c = xt.Shape[1];
        var s = (int)(xt.Numel / Math.Max(1, (long)n * c));
        var cpg = c / groups;
        var groupSize = cpg * s;
        CpuParallel.For(n * groups, CpuParallel.GrainForElements(n * groups, groupSize), (i0, i1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
            ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
            ReadOnlySpan<T> fscale = st is null ? default : Data<T>(st);
            ReadOnlySpan<T> fshift = sht is null ? default : Data<T>(sht);
            for (var i = i0; i < i1; i++)
            {
                var seg = x.Slice(i * groupSize, groupSize);
                var (m, r) = GroupStatistics(seg, eps);
                Data<T>(mt)[i] = m;
                Data<T>(rt)[i] = r;
                var b = i / groups;
                var g = i % groups;
                for (var cc = 0; cc < cpg; cc++)
                {
                    var ch = g * cpg + cc;
                    var sc = gamma.IsEmpty ? r : r * gamma[ch];
                    var sh = (beta.IsEmpty ? T.Zero : beta[ch]) - m * sc;
                    T fs = T.One, fh = T.Zero;
                    if (!fscale.IsEmpty)
                    {
                        fs = fscale[b * c + ch];
                        fh = fshift.IsEmpty ? T.Zero : fshift[b * c + ch];
                    }
                    NormalizedSiLU(seg.Slice(cc * s, s), sc, sh, !fscale.IsEmpty, fs, fh, y.Slice(i * groupSize + cc * s, s));
                }
            }
        });
    }

    /// <summary>y = SiLU(z) with h = x·sc + sh and z = h·fs + fh (FiLM) or z = h, a vector at a time (the tail through a padded vector).</summary>
    private static void NormalizedSiLU<T>(ReadOnlySpan<T> x, T sc, T sh, bool film, T fs, T fh, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        Vector512<T> scV = Vector512.Create(sc), shV = Vector512.Create(sh), fsV = Vector512.Create(fs), fhV = Vector512.Create(fh);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var j = 0;
        for (; j + w <= x.Length; j += w)
        {
            var z = Vector512Math.MultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)j), scV, shV);
            if (film)
            {
                z = Vector512Math.MultiplyAdd(z, fsV, fhV);
            }
            (z * Vector512Math.Sigmoid(z)).StoreUnsafe(ref yr, (nuint)j);
        }
        if (j < x.Length)
        {
            Span<T> lane = stackalloc T[w];
            lane.Clear();
            x[j..].CopyTo(lane);
            var z = Vector512Math.MultiplyAdd(Vector512.Create<T>(lane), scV, shV);
            if (film)
            {
                z = Vector512Math.MultiplyAdd(z, fsV, fhV);
            }
            (z * Vector512Math.Sigmoid(z)).CopyTo(lane);
            lane[..(x.Length - j)].CopyTo(y[j..]);
        }
    }

    /// <summary>Mean and 1/sqrt(biased variance + eps) of one group (two passes, each in vectors then in order over the lanes and the tail).</summary>
    private static (T Mean, T Rstd) GroupStatistics<T>(ReadOnlySpan<T> seg, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        ref var xr = ref MemoryMarshal.GetReference(seg);
        var full = seg.Length - seg.Length % w;
        var acc = Vector512<T>.Zero;
        for (var j = 0; j < full; j += w)
        {
            acc += Vector512.LoadUnsafe(ref xr, (nuint)j);
        }
        var sum = Vector512.Sum(acc);
        for (var j = full; j < seg.Length; j++)
        {
            sum += seg[j];
        }
        var count = T.CreateTruncating(seg.Length);
        var m = sum / count;
        var mV = Vector512.Create(m);
        acc = Vector512<T>.Zero;
        for (var j = 0; j < full; j += w)
        {
            var dev = Vector512.LoadUnsafe(ref xr, (nuint)j) - mV;
            acc = Vector512Math.MultiplyAdd(dev, dev, acc);
        }
        var v = Vector512.Sum(acc);
        for (var j = full; j < seg.Length; j++)
        {
            var dev = seg[j] - m;
            v += dev * dev;
        }
        v /= count;
        return (m, T.One / T.Sqrt(v + T.CreateTruncating(eps)));
    }

    private static void GroupNormSiLUBackward<T>(Tensor xt, Tensor dyt, Tensor mt, Tensor rt, Tensor? gt, Tensor? bt, Tensor? st, Tensor? sht, int groups,
        Tensor? dxt, bool accumulateDx, Tensor? dgt, Tensor? dbt, Tensor? dst, Tensor? dsht)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Shape[0], c = xt.Shape[1];
        var s = (int)(xt.Numel / Math.Max(1, (long)n * c));
        var cpg = c / groups;
        var groupSize = cpg * s;
        var film = st is not null;
        // per-(n, c) partials of dgamma and dbeta, summed over n in order afterwards (deterministic)
        var pg = new T[n * c];
        var pb = new T[n * c];
        CpuParallel.For(n * groups, CpuParallel.GrainForElements(n * groups, groupSize), (i0, i1) =>
        {
            var rented = ArrayPool<T>.Shared.Rent(groupSize);
            try
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                Span<T> dx = dxt is null ? default : Data<T>(dxt);
                ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
                ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
                ReadOnlySpan<T> fscale = st is null ? default : Data<T>(st);
                ReadOnlySpan<T> fshift = sht is null ? default : Data<T>(sht);
                Span<T> dscale = dst is null ? default : Data<T>(dst);
                Span<T> dshift = dsht is null ? default : Data<T>(dsht);
                var dh = rented.AsSpan(0, groupSize);
                for (var i = i0; i < i1; i++)
                {
                    var m = Data<T>(mt)[i];
                    var r = Data<T>(rt)[i];
                    var b = i / groups;
                    var g = i % groups;
                    T sumD = T.Zero, sumDX = T.Zero;
                    for (var cc = 0; cc < cpg; cc++)
                    {
                        var ch = g * cpg + cc;
                        var nc = b * c + ch;
                        var gam = gamma.IsEmpty ? T.One : gamma[ch];
                        var bet = beta.IsEmpty ? T.Zero : beta[ch];
                        var sc = film ? fscale[nc] : T.One;
                        var sh = film && !fshift.IsEmpty ? fshift[nc] : T.Zero;
                        var off = i * groupSize + cc * s;
                        var (sDh, sDhX, sDzH, sDz) = UpstreamGradients(x.Slice(off, s), dy.Slice(off, s), m, r, gam, bet, film, sc, sh, dh.Slice(cc * s, s));
                        pg[nc] = sDhX;
                        pb[nc] = sDh;
                        if (film && !dscale.IsEmpty)
                        {
                            dscale[nc] += sDzH;
                        }
                        if (film && !dshift.IsEmpty)
                        {
                            dshift[nc] += sDz;
                        }
                        sumD += gam * sDh;
                        sumDX += gam * sDhX;
                    }
                    if (dx.IsEmpty)
                    {
                        continue;
                    }
                    var count = T.CreateTruncating(groupSize);
                    var meanD = sumD / count;
                    var meanDX = sumDX / count;
                    // dx = r·(gam·dh − meanD − xhat·meanDX) = (r·gam)·dh + (−r²·meanDX)·x + r·(m·r·meanDX − meanD)
                    var bx = -r * r * meanDX;
                    var k = r * (m * r * meanDX - meanD);
                    for (var cc = 0; cc < cpg; cc++)
                    {
                        var ch = g * cpg + cc;
                        var off = i * groupSize + cc * s;
                        InputGradient(dh.Slice(cc * s, s), x.Slice(off, s), r * (gamma.IsEmpty ? T.One : gamma[ch]), bx, k, dx.Slice(off, s), accumulateDx);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        });
        if (dgt is not null)
        {
            AddColumnSums(pg, n, c, Data<T>(dgt));
        }
        if (dbt is not null)
        {
            AddColumnSums(pb, n, c, Data<T>(dbt));
        }
    }

    /// <summary>
    /// For one channel: dh = dL/dh (h = xhat·gam + bet, z = h·sc + sh under FiLM, y = SiLU(z)) into <paramref name="dh"/>,
    /// and the sums Σdh, Σdh·xhat, Σdz·h, Σdz (each in vectors, then over the lanes; the tail through a padded vector whose
    /// dy is 0, so it adds nothing).
    /// </summary>
    private static (T SumDh, T SumDhXhat, T SumDzH, T SumDz) UpstreamGradients<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, T m, T r, T gam, T bet, bool film, T sc, T sh, Span<T> dh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        Vector512<T> mV = Vector512.Create(m), rV = Vector512.Create(r), gV = Vector512.Create(gam), bV = Vector512.Create(bet), scV = Vector512.Create(sc), shV = Vector512.Create(sh);
        Vector512<T> aDh = Vector512<T>.Zero, aDhX = Vector512<T>.Zero, aDzH = Vector512<T>.Zero, aDz = Vector512<T>.Zero;
        Span<T> xLane = stackalloc T[w];
        Span<T> dyLane = stackalloc T[w];
        Span<T> dhLane = stackalloc T[w];
        for (var j = 0; j < x.Length; j += w)
        {
            var tail = x.Length - j < w;
            Vector512<T> xv, dv;
            if (tail)
            {
                xLane.Clear();
                dyLane.Clear();
                x[j..].CopyTo(xLane);
                dy[j..].CopyTo(dyLane);
                xv = Vector512.Create<T>(xLane);
                dv = Vector512.Create<T>(dyLane);
            }
            else
            {
                xv = Vector512.Create<T>(x.Slice(j, w));
                dv = Vector512.Create<T>(dy.Slice(j, w));
            }
            var xhat = (xv - mV) * rV;
            var h = Vector512Math.MultiplyAdd(xhat, gV, bV);
            var z = film ? Vector512Math.MultiplyAdd(h, scV, shV) : h;
            var sg = Vector512Math.Sigmoid(z);
            var dz = dv * (sg * (Vector512<T>.One + z * (Vector512<T>.One - sg)));
            var d = film ? dz * scV : dz;
            aDh += d;
            aDhX = Vector512Math.MultiplyAdd(d, xhat, aDhX);
            aDzH = Vector512Math.MultiplyAdd(dz, h, aDzH);
            aDz += dz;
            if (tail)
            {
                d.CopyTo(dhLane);
                dhLane[..(x.Length - j)].CopyTo(dh[j..]);
            }
            else
            {
                d.CopyTo(dh.Slice(j, w));
            }
        }
        return (Vector512.Sum(aDh), Vector512.Sum(aDhX), Vector512.Sum(aDzH), Vector512.Sum(aDz));
    }

    /// <summary>dx (+)= a·dh + bx·x + k for one channel.</summary>
    private static void InputGradient<T>(ReadOnlySpan<T> dh, ReadOnlySpan<T> x, T a, T bx, T k, Span<T> dx, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = Vector512<T>.Count;
        Vector512<T> aV = Vector512.Create(a), bV = Vector512.Create(bx), kV = Vector512.Create(k);
        ref var hr = ref MemoryMarshal.GetReference(dh);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var dr = ref MemoryMarshal.GetReference(dx);
        var j = 0;
        for (; j + w <= x.Length; j += w)
        {
            var v = Vector512Math.MultiplyAdd(Vector512.LoadUnsafe(ref hr, (nuint)j), aV, Vector512Math.MultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)j), bV, kV));
            if (accumulate)
            {
                v += Vector512.LoadUnsafe(ref dr, (nuint)j);
            }
            v.StoreUnsafe(ref dr, (nuint)j);
        }
        for (; j < x.Length; j++)
        {
            var v = a * dh[j] + (bx * x[j] + k);
            dx[j] = accumulate ? dx[j] + v : v;
        }
    }

    /// <summary>target[c] += Σ_r rows[r·cols + c] over r in order.</summary>
    private static void AddColumnSums<T>(T[] rows, int count, int cols, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var j = 0; j < cols; j++)
        {
            var acc = T.Zero;
            for (var r = 0; r < count; r++)
            {
                acc += rows[r * cols + j];
            }
            target[j] += acc;
        }
    }
}
