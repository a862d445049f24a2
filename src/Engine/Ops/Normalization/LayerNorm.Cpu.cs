using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void LayerNormForward(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        if (x.DType == DType.BF16)
        {
            LayerNormForwardBf16(x, gamma, beta, eps, y, mean, rstd);
            return;
        }
        DTypeDispatch.For(x.DType, LayerNormForward<float>, LayerNormForward<double>)(x, gamma, beta, eps, y, mean, rstd);
    }

    public void LayerNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta)
    {
        if (x.DType == DType.BF16)
        {
            LayerNormBackwardBf16(x, dy, mean, rstd, gamma, dx, accumulateDx, dgamma, dbeta);
            return;
        }
        DTypeDispatch.For(x.DType, LayerNormBackward<float>, LayerNormBackward<double>)(x, dy, mean, rstd, gamma, dx, accumulateDx, dgamma, dbeta);
    }

    private static void LayerNormForward<T>(Tensor xt, Tensor? gt, Tensor? bt, double eps, Tensor yt, Tensor mt, Tensor rt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = xt.Shape[0], d = xt.Shape[1];
        CpuParallel.For(rows, CpuParallel.GrainForElements(rows, d), (r0, r1) =>
        {
            var x = Data<T>(xt);
            var y = Data<T>(yt);
            var mean = Data<T>(mt);
            var rstd = Data<T>(rt);
            ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
            ReadOnlySpan<T> beta = bt is null ? default : Data<T>(bt);
            for (var r = r0; r < r1; r++)
            {
                var row = x.Slice(r * d, d);
                var m = TensorPrimitives.Sum<T>(row) / T.CreateTruncating(d);
                var v = T.Zero;
                foreach (var e in row)
                {
                    v += (e - m) * (e - m);
                }
                var rs = T.One / T.Sqrt(v / T.CreateTruncating(d) + T.CreateTruncating(eps));
                mean[r] = m;
                rstd[r] = rs;
                var outRow = y.Slice(r * d, d);
                for (var j = 0; j < d; j++)
                {
                    var h = (row[j] - m) * rs;
                    outRow[j] = (gamma.IsEmpty ? h : h * gamma[j]) + (beta.IsEmpty ? T.Zero : beta[j]);
                }
            }
        });
    }

    private static void LayerNormBackward<T>(Tensor xt, Tensor dyt, Tensor mt, Tensor rt, Tensor? gt, Tensor? dxt, bool accumulateDx, Tensor? dgt, Tensor? dbt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = xt.Shape[0], d = xt.Shape[1];
        if (dxt is not null)
        {
            CpuParallel.For(rows, CpuParallel.GrainForElements(rows, d), (r0, r1) =>
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                var dx = Data<T>(dxt);
                var mean = Data<T>(mt);
                var rstd = Data<T>(rt);
                ReadOnlySpan<T> gamma = gt is null ? default : Data<T>(gt);
                for (var r = r0; r < r1; r++)
                {
                    T m = mean[r], rs = rstd[r], sumD = T.Zero, sumDX = T.Zero;
                    for (var j = 0; j < d; j++)
                    {
                        var dh = dy[r * d + j] * (gamma.IsEmpty ? T.One : gamma[j]);
                        sumD += dh;
                        sumDX += dh * (x[r * d + j] - m) * rs;
                    }
                    var meanD = sumD / T.CreateTruncating(d);
                    var meanDX = sumDX / T.CreateTruncating(d);
                    for (var j = 0; j < d; j++)
                    {
                        var dh = dy[r * d + j] * (gamma.IsEmpty ? T.One : gamma[j]);
                        var xh = (x[r * d + j] - m) * rs;
                        var v = rs * (dh - meanD - xh * meanDX);
                        dx[r * d + j] = accumulateDx ? dx[r * d + j] + v : v;
                    }
                }
            });
        }
        if (dgt is not null || dbt is not null)
        {
            CpuParallel.For(d, Math.Max(16, CpuParallel.GrainFor(d)), (j0, j1) =>
            {
                var x = Data<T>(xt);
                var dy = Data<T>(dyt);
                var mean = Data<T>(mt);
                var rstd = Data<T>(rt);
                Span<T> dg = dgt is null ? default : Data<T>(dgt);
                Span<T> db = dbt is null ? default : Data<T>(dbt);
                for (var j = j0; j < j1; j++)
                {
                    T sg = T.Zero, sb = T.Zero;
                    for (var r = 0; r < rows; r++)
                    {
                        var v = dy[r * d + j];
                        sb += v;
                        sg += v * (x[r * d + j] - mean[r]) * rstd[r];
                    }
                    if (!dg.IsEmpty)
                    {
                        dg[j] += sg;
                    }
                    if (!db.IsEmpty)
                    {
                        db[j] += sb;
                    }
                }
            });
        }
    }

    // CPU LayerNorm of bf16 activations (as kernels/layernorm.cu's bf16 instantiation: bf16 x, y, dy, dx; float32 math,
    // statistics, gamma, beta and their gradients): x and dy are widened exactly to float32 scratch, the float32 kernels
    // run, and y and dx are rounded to bf16 once.
    private void LayerNormForwardBf16(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor mean, Tensor rstd)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideY = BFloat16Widening.Scratch(y);
        LayerNormForward(BFloat16Widening.Widen(x), gamma, beta, eps, wideY, mean, rstd);
        BFloat16Widening.Narrow(wideY, y);
    }

    private void LayerNormBackwardBf16(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideDx = dx is null ? null : accumulateDx ? BFloat16Widening.Widen(dx) : BFloat16Widening.Scratch(dx);
        LayerNormBackward(BFloat16Widening.Widen(x), BFloat16Widening.Widen(dy), mean, rstd, gamma, wideDx, accumulateDx, dgamma, dbeta);
        if (dx is not null)
        {
            BFloat16Widening.Narrow(wideDx!, dx);
        }
    }
}
