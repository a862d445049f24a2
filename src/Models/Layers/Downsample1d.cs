using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Diffusion Policy's Downsample1d: Conv1d(C, C, k3, stride 2, padding 1), parameters under ".conv".</summary>
public sealed class Downsample1d
{
    private readonly Conv1d _conv;

    public Downsample1d(ParameterStore store, string name, int channels)
    {
        _conv = new Conv1d(store, $"{name}.conv", channels, channels, 3, stride: 2, padding: 1);
    }

    public Tensor Forward(Tensor x) => _conv.Forward(x);
}
