using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>CPU reference of the collinearity measures: dot products accumulated in double.</summary>
public sealed partial class CpuBackend
{
    public void GradientCollinearity(Tensor perSample, Tensor cosines, Tensor gram)
    {
        DTypeDispatch.For(perSample.DType, GradientCollinearity<float>, GradientCollinearity<double>)(perSample, cosines, gram);
    }

    private static void GradientCollinearity<T>(Tensor gt, Tensor ct, Tensor gramT)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = gt.Shape[0], p = gt.Shape[1];
        var rows = Data<T>(gt).ToArray();
        var mean = new double[p];
        for (var i = 0; i < n; i++)
        {
            for (var e = 0; e < p; e++)
            {
                mean[e] += double.CreateTruncating(rows[i * p + e]);
            }
        }
        for (var e = 0; e < p; e++)
        {
            mean[e] /= Math.Max(1, n);
        }
        var meanNorm = Math.Sqrt(mean.Sum(x => x * x));
        var cos = new double[n];
        var gram = new double[n * n];
        CpuParallel.For(n, 1, (i0, i1) =>
        {
            for (var i = i0; i < i1; i++)
            {
                double dotMean = 0, norm = 0;
                for (var e = 0; e < p; e++)
                {
                    var v = double.CreateTruncating(rows[i * p + e]);
                    dotMean += v * mean[e];
                    norm += v * v;
                }
                var denom = Math.Sqrt(norm) * meanNorm;
                cos[i] = denom > 0 ? dotMean / denom : 0;
                for (var j = 0; j < n; j++)
                {
                    double dot = 0;
                    for (var e = 0; e < p; e++)
                    {
                        dot += double.CreateTruncating(rows[i * p + e]) * double.CreateTruncating(rows[j * p + e]);
                    }
                    gram[i * n + j] = dot / n;
                }
            }
        });
        var cd = Data<T>(ct);
        var gd = Data<T>(gramT);
        for (var i = 0; i < n; i++)
        {
            cd[i] = T.CreateTruncating(cos[i]);
        }
        for (var i = 0; i < n * n; i++)
        {
            gd[i] = T.CreateTruncating(gram[i]);
        }
    }
}
