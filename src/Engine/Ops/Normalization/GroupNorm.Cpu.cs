using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void GroupNormForward(Tensor x, Tensor? gamma, Tensor? beta, int groups, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        if (x.DType == DType.BF16)
        {
            GroupNormForwardBf16(x, y, (xf, yf) => GroupNormForward<float>(xf, gamma, beta, groups, eps, yf, mean, rstd));
            return;
        }
        DTypeDispatch.For(x.DType, GroupNormForward<float>, GroupNormForward<double>)(x, gamma, beta, groups, eps, y, mean, rstd);
    }

    public void GroupNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, bool accumulateParams)
    {
        if (x.DType == DType.BF16)
        {
            GroupNormBackwardBf16(x, dy, dx, accumulateDx,
                (xf, dyf, dxf) => GroupNormBackward<float>(xf, dyf, mean, rstd, gamma, groups, dxf, accumulateDx, dgamma, dbeta, accumulateParams));
            return;
        }
        DTypeDispatch.For(x.DType, GroupNormBackward<float>, GroupNormBackward<double>)(x, dy, mean, rstd, gamma, groups, dx, accumulateDx, dgamma, dbeta, accumulateParams);
    }

    /// <summary>
    /// A GroupNorm variant with bf16 activations: x is widened to float32 (exact), the float32 kernel runs with the
    /// float32 statistics, affine and FiLM tensors, and y is rounded to bf16 once (nearest even), as kernels/groupnorm.cu
    /// does per element for bf16 storage.
    /// </summary>
    private static void GroupNormForwardBf16(Tensor x, Tensor y, Action<Tensor, Tensor> forwardF32)
    {
        var yf = BFloat16Widening.Scratch(y);
        forwardF32(BFloat16Widening.Widen(x), yf);
        BFloat16Widening.Narrow(yf, y);
    }

    /// <summary>The backward of <see cref="GroupNormForwardBf16"/>: x, dy (and an accumulated dx) widened, dx rounded to bf16 once.</summary>
    private static void GroupNormBackwardBf16(Tensor x, Tensor dy, Tensor? dx, bool accumulateDx, Action<Tensor, Tensor, Tensor?> backwardF32)
    {
        var dxf = dx is null ? null : accumulateDx ? BFloat16Widening.Widen(dx) : BFloat16Widening.Scratch(dx);
        backwardF32(BFloat16Widening.Widen(x), BFloat16Widening.Widen(dy), dxf);
        if (dx is not null)
        {
            BFloat16Widening.Narrow(dxf!, dx);
        }
    }

    private static void GroupNormForward<T>(Tensor xt, Tensor? gt, Tensor? bt, int groups, double eps, Tensor yt, Tensor mt, Tensor rt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = xt.Shape[0], c = xt.Shape[1];
        var s = (int)(xt.Numel / Math.Max(1, (long)n * c));
        var cpg = c / groups;
        var groupSize = cpg * s;
        var count = n * groups;
        CpuParallel.For(count, CpuParallel.GrainForElements(count, groupSize), (i0, i1) =>
        {
            var tmp = ArrayPool<T>.Shared.Rent(groupSize);
            try
            {
                var x = Data<T>(xt);
                var y = Data<T>(yt);
                var mean = Data<T>(mt);
                var rstd = Data<T>(rt);
                ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
                ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
                var centered = tmp.AsSpan(0, groupSize);
                for (var i = i0; i < i1; i++)
                {
                    var seg = x.Slice(i * groupSize, groupSize);
                    var m = TensorPrimitives.Sum<T>(seg) / T.CreateTruncating(groupSize);
                    TensorPrimitives.Subtract(seg, m, centered);
                    var v = TensorPrimitives.SumOfSquares<T>(centered) / T.CreateTruncating(groupSize);
                    var r = T.One / T.Sqrt(v + T.CreateTruncating(eps));
                    mean[i] = m;
                    rstd[i] = r;
                    var g = i % groups;
                    for (var cc = 0; cc < cpg; cc++)
                    {
                        var ch = g * cpg + cc;
                        var scale = gamma.IsEmpty ? r : r * gamma[ch];
                        var shift = beta.IsEmpty ? T.Zero : beta[ch];
                        var dst = y.Slice(i * groupSize + cc * s, s);
                        TensorPrimitives.Multiply(centered.Slice(cc * s, s), scale, dst);
                        TensorPrimitives.Add(dst, shift, dst);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(tmp);
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
        if (groupSize == 0 || n == 0)
        {
            // a zero-size dimension: dx is empty and dgamma, dbeta are sums over no elements (zero). The general
            // path would multiply those empty sums by the forward's 0/0 mean and rstd and give NaN.
            if (!accumulateParams)
            {
                if (dgt is not null)
                {
                    Data<T>(dgt).Clear();
                }
                if (dbt is not null)
                {
                    Data<T>(dbt).Clear();
                }
            }
            return;
        }
        // Per (sample, channel) sums: Σdy and Σdy·x; everything else follows from them.
        var planes = n * c;
        var sumDy = new T[planes];
        var sumDyX = new T[planes];
        CpuParallel.For(planes, CpuParallel.GrainForElements(planes, s), (p0, p1) =>
        {
            var x = Data<T>(xt);
            var dy = Data<T>(dyt);
            for (var p = p0; p < p1; p++)
            {
                var d = dy.Slice(p * s, s);
                sumDy[p] = TensorPrimitives.Sum<T>(d);
                sumDyX[p] = TensorPrimitives.Dot<T>(d, x.Slice(p * s, s));
            }
        });
        var mean = Data<T>(mt).ToArray();
        var rstd = Data<T>(rt).ToArray();
        var gamma = gt is null ? null : Data<T>(gt).ToArray();
        if (dxt is not null)
        {
            var count = n * groups;
            CpuParallel.For(count, CpuParallel.GrainForElements(count, groupSize), (i0, i1) =>
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                var dx = Data<T>(dxt);
                var tmp = ArrayPool<T>.Shared.Rent(s);
                try
                {
                    for (var i = i0; i < i1; i++)
                    {
                        int b = i / groups, g = i % groups;
                        T m = mean[i], r = rstd[i];
                        // Σ over the group of dxhat = gamma·dy and of dxhat·xhat
                        T sumD = T.Zero, sumDX = T.Zero;
                        for (var cc = 0; cc < cpg; cc++)
                        {
                            var ch = g * cpg + cc;
                            var gam = gamma is null ? T.One : gamma[ch];
                            var p = b * c + ch;
                            sumD += gam * sumDy[p];
                            sumDX += gam * (sumDyX[p] - m * sumDy[p]) * r;
                        }
                        var count = T.CreateTruncating(groupSize);
                        var meanD = sumD / count;
                        var meanDX = sumDX / count;
                        // dx = r·(gam·dy − meanD − (x − m)·r·meanDX) = a·dy + bx·x + k
                        var bx = -r * r * meanDX;
                        for (var cc = 0; cc < cpg; cc++)
                        {
                            var ch = g * cpg + cc;
                            var gam = gamma is null ? T.One : gamma[ch];
                            var a = r * gam;
                            var k = -r * meanD - bx * m;
                            var off = (b * c + ch) * s;
                            var t = tmp.AsSpan(0, s);
                            TensorPrimitives.Multiply(dy.Slice(off, s), a, t);
                            TensorPrimitives.MultiplyAdd(x.Slice(off, s), bx, t, t);
                            TensorPrimitives.Add(t, k, t);
                            var dst = dx.Slice(off, s);
                            if (accumulateDx)
                            {
                                TensorPrimitives.Add(dst, t, dst);
                            }
                            else
                            {
                                t.CopyTo(dst);
                            }
                        }
                    }
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(tmp);
                }
            });
        }
        if (dgt is not null || dbt is not null)
        {
            Span<T> dg = dgt is null ? default : Data<T>(dgt);
            Span<T> db = dbt is null ? default : Data<T>(dbt);
            for (var ch = 0; ch < c; ch++)
            {
                var g = ch / cpg;
                T sg = T.Zero, sb = T.Zero;
                for (var b = 0; b < n; b++)
                {
                    var i = b * groups + g;
                    var p = b * c + ch;
                    sb += sumDy[p];
                    sg += (sumDyX[p] - mean[i] * sumDy[p]) * rstd[i];
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
        }
    }
}
