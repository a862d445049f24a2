using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// What the normalisation layers share: the epsilon and a per-feature affine, weight (1 at init) and bias (0 at init)
/// declared as "{name}.weight" and "{name}.bias" over <paramref name="features"/> features.
/// </summary>
public abstract class AffineNormalization(ParameterStore store, string name, int features, double eps)
{
    public double Eps { get; } = eps;

    public Parameter Weight { get; } = store.Declare($"{name}.weight", [features], ParameterInit.Ones);

    public Parameter Bias { get; } = store.Declare($"{name}.bias", [features], ParameterInit.Zeros);

    public abstract Tensor Forward(Tensor x);
}
