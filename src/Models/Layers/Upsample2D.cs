using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>diffusers' Upsample2D with use_conv: nearest-neighbour 2x, then a 3x3 convolution (parameters under ".conv").</summary>
public sealed class Upsample2D
{
    private readonly Conv2d _conv;

    public Upsample2D(ParameterStore store, string name, int channels)
    {
        _conv = new Conv2d(store, $"{name}.conv", channels, channels, 3, stride: 1, padding: 1);
    }

    public Tensor Forward(Tensor x) => _conv.Forward(Ops.UpsampleNearest2x(x));
}
