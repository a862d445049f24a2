using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>The CPU reference of the fused GroupNorm + FiLM + SiLU (same formulas and rounding steps as kernels/groupnorm.cu).</summary>
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

    private static T SiLUOf<T>(T z)
        where T : IFloatingPointIeee754<T> => z / (T.One + T.Exp(-z));

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
                    for (var j = 0; j < s; j++)
                    {
                        var h = seg[cc * s + j] * sc + sh;
                        if (!fscale.IsEmpty)
                        {
                            h = h * fscale[b * c + ch] + (fshift.IsEmpty ? T.Zero : fshift[b * c + ch]);
                        }
                        y[i * groupSize + cc * s + j] = SiLUOf(h);
                    }
                }
            }
        });
    }

    /// <summary>Mean and 1/sqrt(biased variance + eps) of one group (two passes).</summary>
    private static (T Mean, T Rstd) GroupStatistics<T>(ReadOnlySpan<T> seg, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sum = T.Zero;
        foreach (var e in seg)
        {
            sum += e;
        }
        var count = T.CreateTruncating(seg.Length);
        var m = sum / count;
        var v = T.Zero;
        foreach (var e in seg)
        {
            var d = e - m;
            v += d * d;
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
            var x = Data<T>(xt);
            var dy = Data<T>(dyt);
            Span<T> dx = dxt is null ? default : Data<T>(dxt);
            ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
            ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
            ReadOnlySpan<T> fscale = st is null ? default : Data<T>(st);
            ReadOnlySpan<T> fshift = sht is null ? default : Data<T>(sht);
            Span<T> dscale = dst is null ? default : Data<T>(dst);
            Span<T> dshift = dsht is null ? default : Data<T>(dsht);
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
                    T sDh = T.Zero, sDhX = T.Zero, sDzH = T.Zero, sDz = T.Zero;
                    for (var j = 0; j < s; j++)
                    {
                        var idx = i * groupSize + cc * s + j;
                        var xhat = (x[idx] - m) * r;
                        var dh = Upstream(dy[idx], xhat, gam, bet, sc, sh, film, out var dz, out var h);
                        sDh += dh;
                        sDhX += dh * xhat;
                        sDzH += dz * h;
                        sDz += dz;
                    }
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
                for (var cc = 0; cc < cpg; cc++)
                {
                    var ch = g * cpg + cc;
                    var nc = b * c + ch;
                    var gam = gamma.IsEmpty ? T.One : gamma[ch];
                    var bet = beta.IsEmpty ? T.Zero : beta[ch];
                    var sc = film ? fscale[nc] : T.One;
                    var sh = film && !fshift.IsEmpty ? fshift[nc] : T.Zero;
                    for (var j = 0; j < s; j++)
                    {
                        var idx = i * groupSize + cc * s + j;
                        var xhat = (x[idx] - m) * r;
                        var dh = Upstream(dy[idx], xhat, gam, bet, sc, sh, film, out _, out _);
                        var v = r * (gam * dh - meanD - xhat * meanDX);
                        dx[idx] = accumulateDx ? dx[idx] + v : v;
                    }
                }
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

    /// <summary>dL/dh at one element (h = normalised·gamma + beta), with dL/dz and h for the FiLM gradients.</summary>
    private static T Upstream<T>(T d, T xhat, T gam, T bet, T sc, T sh, bool film, out T dz, out T h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        h = xhat * gam + bet;
        var z = film ? h * sc + sh : h;
        dz = d * SiLUDerivative(z);
        return film ? dz * sc : dz;
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
