using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void GroupNormForward(Tensor x, Tensor? gamma, Tensor? beta, int groups, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        if (x.DType == DType.F32)
        {
            GroupNormForward<float>(x, gamma, beta, groups, eps, y, mean, rstd);
        }
        else
        {
            GroupNormForward<double>(x, gamma, beta, groups, eps, y, mean, rstd);
        }
    }

    public void GroupNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, bool accumulateParams)
    {
        if (x.DType == DType.F32)
        {
            GroupNormBackward<float>(x, dy, mean, rstd, gamma, groups, dx, accumulateDx, dgamma, dbeta, accumulateParams);
        }
        else
        {
            GroupNormBackward<double>(x, dy, mean, rstd, gamma, groups, dx, accumulateDx, dgamma, dbeta, accumulateParams);
        }
    }

    private static void GroupNormForward<T>(Tensor xt, Tensor? gt, Tensor? bt, int groups, double eps, Tensor yt, Tensor mt, Tensor rt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Shape[0], c = xt.Shape[1];
        var s = (int)(xt.Numel / Math.Max(1, (long)n * c));
        var cpg = c / groups;
        var groupSize = cpg * s;
        CpuParallel.For(n * groups, 1, (i0, i1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            var mean = Data<T>(mt);
            var rstd = Data<T>(rt);
            ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
            ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
            for (var i = i0; i < i1; i++)
            {
                var seg = x.Slice(i * groupSize, groupSize);
                var m = TensorPrimitives.Sum<T>(seg) / T.CreateTruncating(groupSize);
                var v = T.Zero;
                foreach (var e in seg)
                {
                    var d = e - m;
                    v += d * d;
                }
                v /= T.CreateTruncating(groupSize);
                var r = T.One / T.Sqrt(v + T.CreateTruncating(eps));
                mean[i] = m;
                rstd[i] = r;
                var g = i % groups;
                for (var cc = 0; cc < cpg; cc++)
                {
                    var ch = g * cpg + cc;
                    var scale = gamma.IsEmpty ? r : r * gamma[ch];
                    var shift = (beta.IsEmpty ? T.Zero : beta[ch]) - m * scale;
                    var src = seg.Slice(cc * s, s);
                    var dst = y.Slice(i * groupSize + cc * s, s);
                    TensorPrimitives.Multiply(src, scale, dst);
                    TensorPrimitives.Add(dst, shift, dst);
                }
            }
        });
    }

    private static void GroupNormBackward<T>(Tensor xt, Tensor dyt, Tensor mt, Tensor rt, Tensor? gt, int groups,
        Tensor? dxt, bool accumulateDx, Tensor? dgt, Tensor? dbt, bool accumulateParams)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Shape[0], c = xt.Shape[1];
        var s = (int)(xt.Numel / Math.Max(1, (long)n * c));
        var cpg = c / groups;
        var groupSize = cpg * s;
        if (dxt is not null)
        {
            CpuParallel.For(n * groups, 1, (i0, i1) =>
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                var dx = Data<T>(dxt);
                var mean = Data<T>(mt);
                var rstd = Data<T>(rt);
                ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
                for (var i = i0; i < i1; i++)
                {
                    var m = mean[i];
                    var r = rstd[i];
                    var g = i % groups;
                    // sums of dxhat and dxhat·xhat over the group, where dxhat = dy·gamma
                    T sumD = T.Zero, sumDX = T.Zero;
                    for (var cc = 0; cc < cpg; cc++)
                    {
                        var gam = gamma.IsEmpty ? T.One : gamma[g * cpg + cc];
                        var off = i * groupSize + cc * s;
                        T sd = T.Zero, sdx = T.Zero;
                        for (var j = 0; j < s; j++)
                        {
                            var d = dy[off + j];
                            sd += d;
                            sdx += d * (x[off + j] - m);
                        }
                        sumD += gam * sd;
                        sumDX += gam * sdx * r;
                    }
                    var count = T.CreateTruncating(groupSize);
                    var meanD = sumD / count;
                    var meanDX = sumDX / count;
                    for (var cc = 0; cc < cpg; cc++)
                    {
                        var gam = gamma.IsEmpty ? T.One : gamma[g * cpg + cc];
                        var off = i * groupSize + cc * s;
                        for (var j = 0; j < s; j++)
                        {
                            var xhat = (x[off + j] - m) * r;
                            var v = r * (gam * dy[off + j] - meanD - xhat * meanDX);
                            dx[off + j] = accumulateDx ? dx[off + j] + v : v;
                        }
                    }
                }
            });
        }
        if (dgt is not null || dbt is not null)
        {
            CpuParallel.For(c, 1, (c0, c1) =>
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                var mean = Data<T>(mt);
                var rstd = Data<T>(rt);
                Span<T> dg = dgt is null ? default : Data<T>(dgt);
                Span<T> db = dbt is null ? default : Data<T>(dbt);
                for (var ch = c0; ch < c1; ch++)
                {
                    var g = ch / cpg;
                    T sg = T.Zero, sb = T.Zero;
                    for (var b = 0; b < n; b++)
                    {
                        var i = b * groups + g;
                        var off = (b * c + ch) * s;
                        var m = mean[i];
                        var r = rstd[i];
                        for (var j = 0; j < s; j++)
                        {
                            var d = dy[off + j];
                            sb += d;
                            sg += d * (x[off + j] - m) * r;
                        }
                    }
                    if (!dg.IsEmpty)
                    {
                        dg[ch] = accumulateParams ? dg[ch] + sg : sg;
                    }
                    if (!db.IsEmpty)
                    {
                        db[ch] = accumulateParams ? db[ch] + sb : sb;
                    }
                }
            });
        }
    }
}
