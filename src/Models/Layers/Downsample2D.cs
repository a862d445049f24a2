using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>diffusers' Downsample2D with use_conv: a 3x3 convolution with stride 2 and padding 1 (parameters under ".conv").</summary>
public sealed class Downsample2D
{
    private readonly Conv2d _conv;

    public Downsample2D(ParameterStore store, string name, int channels)
    {
        _conv = new Conv2d(store, $"{name}.conv", channels, channels, 3, stride: 2, padding: 1);
    }

    public Tensor Forward(Tensor x) => _conv.Forward(x);
}
