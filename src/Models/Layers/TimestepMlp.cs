using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// The two-layer MLP applied to sinusoidal timestep features: Linear → activation → Linear. diffusers names the
/// layers <c>time_embedding.linear_1/linear_2</c> (SiLU); Diffusion Policy names them
/// <c>diffusion_step_encoder.1/.3</c> (Mish, inside an nn.Sequential after the sinusoid).
/// </summary>
public sealed class TimestepMlp
{
    private readonly Linear _first;
    private readonly Linear _second;
    private readonly Activation _activation;

    public TimestepMlp(ParameterStore store, string firstName, string secondName, int inDim, int hiddenDim, int outDim, Activation activation)
    {
        _first = new Linear(store, firstName, inDim, hiddenDim);
        _second = new Linear(store, secondName, hiddenDim, outDim);
        _activation = activation;
        OutDim = outDim;
    }

    public int OutDim { get; }

    public Tensor Forward(Tensor features) => _second.Forward(_activation.Apply(_first.Forward(features)));
}
