namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void TimestepEmbedding(Tensor t, Tensor output, bool flipSinToCos, double freqShift, double maxPeriod)
    {
        int b = output.Shape[0], dim = output.Shape[1], half = dim / 2;
        var ts = t.ToDoubleArray();
        var values = new double[b * dim];
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < half; j++)
            {
                var freq = Math.Exp(-Math.Log(maxPeriod) * j / (half - freqShift));
                var arg = ts[i] * freq;
                double s = Math.Sin(arg), c = Math.Cos(arg);
                values[i * dim + j] = flipSinToCos ? c : s;
                values[i * dim + half + j] = flipSinToCos ? s : c;
            }
        }
        CopyFromHost<double>(values, output);
    }
}
