using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Layer normalisation over the last dimension with an affine (weight 1, bias 0 at init).</summary>
public sealed class LayerNorm(ParameterStore store, string name, int features, double eps = 1e-5)
    : AffineNormalization(store, name, features, eps)
{
    public int Features { get; } = features;

    public override Tensor Forward(Tensor x) => Ops.LayerNorm(x, Weight.Value, Bias.Value, Eps);
}
