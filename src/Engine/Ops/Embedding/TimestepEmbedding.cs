namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>Sinusoidal features of timesteps t [B] into output [B, dim] (see Ops.TimestepEmbedding).</summary>
    void TimestepEmbedding(Tensor t, Tensor output, bool flipSinToCos, double freqShift, double maxPeriod);
}

public static partial class Ops
{
    /// <summary>
    /// Sinusoidal timestep features [B, dim]: with half = dim/2 and f_i = exp(−ln(maxPeriod)·i/(half − freqShift)),
    /// the row for t is [sin(t·f), cos(t·f)], or [cos, sin] when <paramref name="flipSinToCos"/> (diffusers' default
    /// is flip=true, shift=0; Diffusion Policy's SinusoidalPosEmb is flip=false, shift=1). An odd dim gets a zero column.
    /// Not differentiable (timesteps are data).
    /// </summary>
    public static Tensor TimestepEmbedding(Tensor t, int dim, bool flipSinToCos, double freqShift = 0, double maxPeriod = 10000)
    {
        TensorOpException.Rank("TimestepEmbedding", t, 1, "timesteps");
        if (dim < 2)
        {
            throw new TensorOpException("TimestepEmbedding", $"dim {dim} is too small", "use an embedding width of at least 2");
        }
        var output = Tensor.Empty([t.Shape[0], dim], t.DType, t.Device);
        t.Backend.TimestepEmbedding(t.Contiguous(), output, flipSinToCos, freqShift, maxPeriod);
        return output;
    }
}
