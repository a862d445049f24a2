using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// A float64 denoiser small enough to reason about: ε̂ = tanh(x_t·Wᵀ + b + E[label] + (t/1000)·v). With
/// <see cref="Collinear"/> it is instead ε̂ = (uᵀθ)·x_t, whose per-sample gradients are all multiples of u.
/// </summary>
public sealed class TinyDenoiser : IDenoiser
{
    public const int Width = 4;
    private readonly Parameter? _w;
    private readonly Parameter? _b;
    private readonly Parameter? _e;
    private readonly Parameter? _v;
    private readonly Parameter? _theta;
    private readonly Tensor? _u;

    public TinyDenoiser(bool collinear = false, ulong seed = 1)
    {
        Collinear = collinear;
        Parameters = new ParameterStore(DType.F64);
        if (collinear)
        {
            _theta = Parameters.Declare("theta", [6], new ParameterInit.Normal(0, 1));
            _u = Tensor.FromArray(new[] { 0.5, -1.0, 0.25, 2.0, 1.5, -0.75 }, 6);
        }
        else
        {
            _w = Parameters.Declare("w", [Width, Width], ParameterInit.FanIn(Width));
            _b = Parameters.Declare("b", [Width], ParameterInit.FanIn(Width));
            _e = Parameters.Declare("classes", [3, Width], new ParameterInit.Normal(0, 1));
            _v = Parameters.Declare("time", [Width], ParameterInit.FanIn(1));
        }
        Parameters.Allocate(seed);
    }

    public bool Collinear { get; }

    /// <summary>The fixed direction u of the collinear variant.</summary>
    public Tensor U => _u!;

    public string Name => Collinear ? "tiny collinear denoiser" : "tiny denoiser";

    public ParameterStore Parameters { get; }

    public IReadOnlyList<int> SampleShape => [Width];

    public IReadOnlyList<int>? ConditionShape => [];

    public IReadOnlyList<ParameterBlock> Blocks => [];

    public bool Training { get; set; }

    public Generator DropoutGenerator { get; set; } = new(0);

    public Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? condition)
    {
        if (Collinear)
        {
            var gain = Ops.SumAll(_theta!.Value * U);
            return xt * gain.Reshape(1, 1);
        }
        var h = Ops.Linear(xt, _w!.Value, _b!.Value) + Ops.Embedding(_e!.Value, condition!);
        h = h + Ops.MatMul(timesteps.Reshape(-1, 1) * 0.001, _v!.Value.Reshape(1, Width));
        return Ops.Tanh(h);
    }
}
