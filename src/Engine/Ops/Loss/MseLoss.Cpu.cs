using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    private const int MseChunk = 8192;

    public void MseForward(Tensor pred, Tensor target, Tensor loss)
    {
        DTypeDispatch.For(pred.DType, MseForward<float>, MseForward<double>)(pred, target, loss);
    }

    private static void MseForward<T>(Tensor pred, Tensor target, Tensor loss)
        where T : unmanaged, IFloatingPointIeee754<T> => Data<T>(loss)[0] = T.CreateTruncating(SquaredErrorMean<T>(pred, target));

    private static double SquaredErrorMean<T>(Tensor pred, Tensor target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = (int)pred.Numel;
        var chunks = (n + MseChunk - 1) / MseChunk;
        var partial = new double[chunks];
        CpuParallel.For(chunks, 1, (c0, c1) =>
        {
            var p = Data<T>(pred);
            var t = Data<T>(target);
            for (var c = c0; c < c1; c++)
            {
                double acc = 0;
                var end = Math.Min(n, (c + 1) * MseChunk);
                for (var i = c * MseChunk; i < end; i++)
                {
                    var d = double.CreateTruncating(p[i] - t[i]);
                    acc += d * d;
                }
                partial[c] = acc;
            }
        });
        double sum = 0;
        foreach (var v in partial)
        {
            sum += v;
        }
        return sum / Math.Max(1, n);
    }

    public void MseBackward(Tensor pred, Tensor target, Tensor g, double sign, Tensor dpred, bool accumulate)
    {
        var scale = sign * 2.0 / Math.Max(1, pred.Numel) * g.Item();
        DTypeDispatch.For(pred.DType, MseBackward<float>, MseBackward<double>)(pred, target, scale, dpred, accumulate);
    }

    private static void MseBackward<T>(Tensor pred, Tensor target, double scaleValue, Tensor dpred, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateTruncating(scaleValue);
        CpuParallel.For((int)pred.Numel, 16384, (s0, s1) =>
        {
            var p = Data<T>(pred);
            var t = Data<T>(target);
            var d = Data<T>(dpred);
            for (var i = s0; i < s1; i++)
            {
                var v = scale * (p[i] - t[i]);
                d[i] = accumulate ? d[i] + v : v;
            }
        });
    }
}
