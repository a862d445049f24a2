using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A fully connected layer y = x·Wᵀ + b (PyTorch nn.Linear: weight [out, in], fan-in uniform init).</summary>
public sealed class Linear
{
    public Linear(ParameterStore store, string name, int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = store.Declare($"{name}.weight", [outFeatures, inFeatures], ParameterInit.FanIn(inFeatures));
        Bias = bias ? store.Declare($"{name}.bias", [outFeatures], ParameterInit.FanIn(inFeatures)) : null;
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight.Value, Bias?.Value);
}
