using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>CPU reference of the rank-1 Fisher penalty and its fused Adam step (the same arithmetic as kernels/fisher.cu).</summary>
public sealed partial class CpuBackend
{
    public double Rank1PenaltyGradient(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda)
    {
        var (coef, penalty) = Rank1Fisher.Coefficients(DirectionDots(param, directions, rho.Length), rho, anchors, lambda);
        DTypeDispatch.For(param.DType, PenaltyGradient<float>, PenaltyGradient<double>)(grad, directions, coef);
        return penalty;
    }

    public void Rank1FisherAdam(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda, AdamStep step, Tensor? penalty = null)
    {
        var (coef, value) = Rank1Fisher.Coefficients(DirectionDots(param, directions, rho.Length), rho, anchors, lambda);
        DTypeDispatch.For(param.DType, FisherAdam<float>, FisherAdam<double>)(param, grad, m, v, directions, coef, step);
        penalty?.Fill(value);
    }

    /// <summary>u_i·θ for each of the k rows of directions, each with <see cref="Dot"/>'s fixed chunking (double).</summary>
    private double[] DirectionDots(Tensor param, Tensor directions, int k)
    {
        var p = (int)param.Numel;
        var dots = new double[k];
        for (var i = 0; i < k; i++)
        {
            dots[i] = Dot(param, new Tensor(directions.Storage, [p], [1], directions.Offset + (long)i * p));
        }
        return dots;
    }

    /// <summary>g + c_0·u_0 + c_1·u_1 + … at element e, in order of i, each product rounded to T.</summary>
    private static T PenalizedGradient<T>(T g, ReadOnlySpan<T> u, T[] c, int p, int e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < c.Length; i++)
        {
            g += c[i] * u[i * p + e];
        }
        return g;
    }

    private static void PenaltyGradient<T>(Tensor gt, Tensor ut, double[] coef)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = (int)gt.Numel;
        var c = coef.Select(T.CreateTruncating).ToArray();
        CpuParallel.For(p, VectorChunk, (s, e) =>
        {
            var g = Data<T>(gt);
            var u = Whole<T>(ut).Slice((int)ut.Offset);
            for (var i = s; i < e; i++)
            {
                g[i] = PenalizedGradient(g[i], u, c, p, i);
            }
        });
    }

    private static void FisherAdam<T>(Tensor pt, Tensor gt, Tensor mt, Tensor vt, Tensor ut, double[] coef, AdamStep step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = (int)pt.Numel;
        var c = coef.Select(T.CreateTruncating).ToArray();
        var scalars = AdamScalars<T>.From(step);
        CpuParallel.For(n, VectorChunk, (s, e) =>
        {
            var p = Data<T>(pt);
            var g = Data<T>(gt);
            var m = Data<T>(mt);
            var v = Data<T>(vt);
            var u = Whole<T>(ut).Slice((int)ut.Offset);
            for (var i = s; i < e; i++)
            {
                var gi = PenalizedGradient(g[i], u, c, n, i);
                g[i] = gi;
                scalars.Apply(ref p[i], gi, ref m[i], ref v[i]);
            }
        });
    }
}
