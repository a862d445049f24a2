using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    private const int VectorChunk = 65536;

    public void Axpby(double alpha, Tensor x, double beta, Tensor y)
    {
        DTypeDispatch.For(x.DType, Axpby<float>, Axpby<double>)(alpha, x, beta, y);
    }

    private static void Axpby<T>(double alphaValue, Tensor xt, double betaValue, Tensor yt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = T.CreateTruncating(alphaValue), beta = T.CreateTruncating(betaValue);
        CpuParallel.For((int)xt.Numel, VectorChunk, (s, e) =>
        {
            var x = Data<T>(xt).Slice(s, e - s);
            var y = Data<T>(yt).Slice(s, e - s);
            if (beta == T.Zero)
            {
                TensorPrimitives.Multiply(x, alpha, y);
            }
            else if (beta == T.One)
            {
                TensorPrimitives.MultiplyAdd(x, alpha, y, y);
            }
            else
            {
                TensorPrimitives.Multiply(y, beta, y);
                TensorPrimitives.MultiplyAdd(x, alpha, y, y);
            }
        });
    }

    public double Dot(Tensor a, Tensor b)
    {
        var n = (int)a.Numel;
        var chunks = (n + VectorChunk - 1) / VectorChunk;
        var partial = new double[chunks];
        CpuParallel.For(chunks, 1, (c0, c1) =>
        {
            for (var c = c0; c < c1; c++)
            {
                var s = c * VectorChunk;
                var len = Math.Min(VectorChunk, n - s);
                partial[c] = a.DType == DType.F32
                    ? DotDouble(Data<float>(a).Slice(s, len), Data<float>(b).Slice(s, len))
                    : TensorPrimitives.Dot<double>(Data<double>(a).Slice(s, len), Data<double>(b).Slice(s, len));
            }
        });
        double sum = 0;
        foreach (var p in partial)
        {
            sum += p;
        }
        return sum;
    }

    private static double DotDouble(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double acc = 0;
        for (var i = 0; i < a.Length; i++)
        {
            acc += (double)a[i] * b[i];
        }
        return acc;
    }

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step)
    {
        DTypeDispatch.For(param.DType, AdamUpdate<float>, AdamUpdate<double>)(param, grad, m, v, step);
    }

    private static void AdamUpdate<T>(Tensor pt, Tensor gt, Tensor mt, Tensor vt, AdamStep step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scalars = AdamScalars<T>.From(step);
        CpuParallel.For((int)pt.Numel, VectorChunk, (s, e) =>
        {
            var p = Data<T>(pt);
            var g = Data<T>(gt);
            var m = Data<T>(mt);
            var v = Data<T>(vt);
            var i = scalars.ApplyVectors(p, g, m, v, s, e);
            for (; i < e; i++)
            {
                scalars.Apply(ref p[i], g[i], ref m[i], ref v[i]);
            }
        });
    }
}
