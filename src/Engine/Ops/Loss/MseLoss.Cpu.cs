using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    private const int MseChunk = 8192;

    public void MseForward(Tensor pred, Tensor target, Tensor loss)
    {
        if (pred.DType == DType.F32)
        {
            Data<float>(loss)[0] = (float)SquaredErrorMean<float>(pred, target);
        }
        else
        {
            Data<double>(loss)[0] = SquaredErrorMean<double>(pred, target);
        }
    }

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
        if (pred.DType == DType.F32)
        {
            MseBackward<float>(pred, target, (float)scale, dpred, accumulate);
        }
        else
        {
            MseBackward<double>(pred, target, scale, dpred, accumulate);
        }
    }

    private static void MseBackward<T>(Tensor pred, Tensor target, T scale, Tensor dpred, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
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
