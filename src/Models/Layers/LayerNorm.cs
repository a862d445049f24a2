using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Layer normalisation over the last dimension with an affine (weight 1, bias 0 at init).</summary>
public sealed class LayerNorm
{
    public LayerNorm(ParameterStore store, string name, int features, double eps = 1e-5)
    {
        Features = features;
        Eps = eps;
        Weight = store.Declare($"{name}.weight", [features], ParameterInit.Ones);
        Bias = store.Declare($"{name}.bias", [features], ParameterInit.Zeros);
    }

    public int Features { get; }

    public double Eps { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Weight.Value, Bias.Value, Eps);
}
