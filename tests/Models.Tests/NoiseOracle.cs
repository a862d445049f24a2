using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// A fake denoiser that knows the clean batch x₀ and returns the exact noise of x_t: ε = (x_t − √ᾱ_t·x₀)/√(1−ᾱ_t).
/// With it, DDIM must land on x₀.
/// </summary>
public sealed class NoiseOracle(NoiseSchedule schedule, Tensor x0) : IDenoiser
{
    public string Name => "NoiseOracle";

    public ParameterStore Parameters { get; } = new(x0.DType);

    public IReadOnlyList<int> SampleShape { get; } = x0.Shape.Skip(1).ToArray();

    public IReadOnlyList<int>? ConditionShape => null;

    public IReadOnlyList<ParameterBlock> Blocks => [];

    public bool Training { get; set; }

    public Generator DropoutGenerator { get; set; } = new(0);

    public int Calls { get; private set; }

    public Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? condition)
    {
        Calls++;
        var t = timesteps.ToDoubleArray().Select(v => (int)v).ToArray();
        var perSample = (int)(xt.Numel / xt.Shape[0]);
        var x = xt.ToDoubleArray();
        var clean = x0.ToDoubleArray();
        var eps = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            double ab = schedule.AlphaBar(t[i / perSample]);
            eps[i] = (x[i] - Math.Sqrt(ab) * clean[i]) / Math.Sqrt(1 - ab);
        }
        return Tensor.FromSpan((ReadOnlySpan<double>)eps, xt.Shape, xt.DType, xt.Device);
    }
}
