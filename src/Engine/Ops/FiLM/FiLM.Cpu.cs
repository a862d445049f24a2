using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void FiLMForward(Tensor x, Tensor scale, Tensor? bias, Tensor y)
    {
        DTypeDispatch.For(x.DType, FiLMForward<float>, FiLMForward<double>)(x, scale, bias, y);
    }

    public void FiLMBackward(Tensor x, Tensor scale, Tensor dy, Tensor? dx, bool accumulateX, Tensor? dscale, bool accumulateScale, Tensor? dbias, bool accumulateBias)
    {
        DTypeDispatch.For(x.DType, FiLMBackward<float>, FiLMBackward<double>)(x, scale, dy, dx, accumulateX, dscale, accumulateScale, dbias, accumulateBias);
    }

    private static void FiLMForward<T>(Tensor xt, Tensor st, Tensor? bt, Tensor yt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = (int)st.Numel;
        var t = rows == 0 ? 0 : (int)(xt.Numel / rows);
        CpuParallel.For(rows, Math.Max(1, 16384 / Math.Max(1, t)), (r0, r1) =>
        {
            var x = Data<T>(xt);
            var s = Data<T>(st);
            ReadOnlySpan<T> b = bt is null ? default : Data<T>(bt);
            var y = Data<T>(yt);
            for (var r = r0; r < r1; r++)
            {
                var shift = b.IsEmpty ? T.Zero : b[r];
                for (var j = r * t; j < (r + 1) * t; j++)
                {
                    y[j] = x[j] * s[r] + shift;
                }
            }
        });
    }

    private static void FiLMBackward<T>(Tensor xt, Tensor st, Tensor dyt, Tensor? dxt, bool ax, Tensor? dst, bool asc, Tensor? dbt, bool ab)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = (int)st.Numel;
        var t = rows == 0 ? 0 : (int)(xt.Numel / rows);
        CpuParallel.For(rows, Math.Max(1, 16384 / Math.Max(1, t)), (r0, r1) =>
        {
            var x = Data<T>(xt);
            var s = Data<T>(st);
            var dy = Data<T>(dyt);
            Span<T> dx = dxt is null ? default : Data<T>(dxt);
            Span<T> ds = dst is null ? default : Data<T>(dst);
            Span<T> db = dbt is null ? default : Data<T>(dbt);
            for (var r = r0; r < r1; r++)
            {
                T sx = T.Zero, sb = T.Zero;
                for (var j = r * t; j < (r + 1) * t; j++)
                {
                    var d = dy[j];
                    if (!dx.IsEmpty)
                    {
                        var v = d * s[r];
                        dx[j] = ax ? dx[j] + v : v;
                    }
                    sx += d * x[j];
                    sb += d;
                }
                if (!ds.IsEmpty)
                {
                    ds[r] = asc ? ds[r] + sx : sx;
                }
                if (!db.IsEmpty)
                {
                    db[r] = ab ? db[r] + sb : sb;
                }
            }
        });
    }
}
