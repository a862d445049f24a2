using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Image;

/// <summary>UNetMidBlock2D: ResNet → attention (if enabled) → ResNet at the deepest level.</summary>
internal sealed class ImageMidBlock(ParameterStore store, string name, ImageUNetConfig config, int channels)
{
    private readonly ImageBlockLayer _first = new(store, name, 0, config, channels, channels, config.MidBlockAttention);
    private readonly ImageBlockLayer _second = new(store, name, 1, config, channels, channels, attention: false);

    public Tensor Forward(Tensor h, Tensor temb, Generator? dropout) => _second.Forward(_first.Forward(h, temb, dropout), temb, dropout);
}
