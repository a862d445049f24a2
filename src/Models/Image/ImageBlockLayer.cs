using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>
/// Layer <paramref name="index"/> of an image UNet block (down, mid or up): a ResnetBlock2D ("{block}.resnets.{index}"),
/// then, when <paramref name="attention"/> is set, spatial self-attention ("{block}.attentions.{index}").
/// </summary>
internal sealed class ImageBlockLayer(ParameterStore store, string block, int index, ImageUNetConfig config, int inChannels, int outChannels,
    bool attention)
{
    private readonly ResnetBlock2D _resnet = new(store, $"{block}.resnets.{index}", inChannels, outChannels, config.TimeEmbeddingDim,
        config.NormGroups, config.NormEps, config.Dropout);

    private readonly Attention2D? _attention = attention
        ? new Attention2D(store, $"{block}.attentions.{index}", outChannels, config.AttentionHeadDim, config.NormGroups, config.NormEps)
        : null;

    public Tensor Forward(Tensor h, Tensor temb, Generator? dropout)
    {
        h = _resnet.Forward(h, temb, dropout);
        return _attention is null ? h : _attention.Forward(h);
    }
}
