using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>UNetMidBlock2D: ResNet → attention (if enabled) → ResNet at the deepest level.</summary>
internal sealed class ImageMidBlock
{
    private readonly ResnetBlock2D _first;
    private readonly Attention2D? _attention;
    private readonly ResnetBlock2D _second;

    public ImageMidBlock(ParameterStore store, string name, ImageUNetConfig config, int channels)
    {
        _first = new ResnetBlock2D(store, $"{name}.resnets.0", channels, channels, config.TimeEmbeddingDim, config.NormGroups, config.NormEps, config.Dropout);
        _attention = config.MidBlockAttention
            ? new Attention2D(store, $"{name}.attentions.0", channels, config.AttentionHeadDim, config.NormGroups, config.NormEps)
            : null;
        _second = new ResnetBlock2D(store, $"{name}.resnets.1", channels, channels, config.TimeEmbeddingDim, config.NormGroups, config.NormEps, config.Dropout);
    }

    public Tensor Forward(Tensor h, Tensor temb, Generator? dropout)
    {
        h = _first.Forward(h, temb, dropout);
        if (_attention is not null)
        {
            h = _attention.Forward(h);
        }
        return _second.Forward(h, temb, dropout);
    }
}
