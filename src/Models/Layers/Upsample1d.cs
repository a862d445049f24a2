using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Diffusion Policy's Upsample1d: ConvTranspose1d(C, C, k4, stride 2, padding 1), parameters under ".conv".</summary>
public sealed class Upsample1d
{
    private readonly ConvTranspose1d _conv;

    public Upsample1d(ParameterStore store, string name, int channels)
    {
        _conv = new ConvTranspose1d(store, $"{name}.conv", channels, channels, 4, stride: 2, padding: 1);
    }

    public Tensor Forward(Tensor x) => _conv.Forward(x);
}
