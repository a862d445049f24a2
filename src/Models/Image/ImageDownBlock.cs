using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>
/// DownBlock2D / AttnDownBlock2D: LayersPerBlock × (ResNet [+ attention]), each output pushed on the skip stack,
/// then (except at the deepest level) a downsampler whose output is pushed too.
/// </summary>
internal sealed class ImageDownBlock
{
    private readonly ResnetBlock2D[] _resnets;
    private readonly Attention2D?[] _attentions;
    private readonly ImageResampler? _downsampler;

    public ImageDownBlock(ParameterStore store, string name, ImageUNetConfig config, UNetBlockKind kind, int inChannels, int outChannels,
        ResamplingLayer? downsample)
    {
        var layers = config.LayersPerBlock;
        _resnets = new ResnetBlock2D[layers];
        _attentions = new Attention2D?[layers];
        for (var j = 0; j < layers; j++)
        {
            _resnets[j] = new ResnetBlock2D(store, $"{name}.resnets.{j}", j == 0 ? inChannels : outChannels, outChannels,
                config.TimeEmbeddingDim, config.NormGroups, config.NormEps, config.Dropout);
            _attentions[j] = kind == UNetBlockKind.Attention
                ? new Attention2D(store, $"{name}.attentions.{j}", outChannels, config.AttentionHeadDim, config.NormGroups, config.NormEps)
                : null;
        }
        _downsampler = downsample is { } layer
            ? new ImageResampler(store, $"{name}.downsamplers.0", config, outChannels, layer, ResnetResampling.Down)
            : null;
    }

    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips, Generator? dropout)
    {
        for (var j = 0; j < _resnets.Length; j++)
        {
            h = _resnets[j].Forward(h, temb, dropout);
            if (_attentions[j] is { } attention)
            {
                h = attention.Forward(h);
            }
            skips.Push(h);
        }
        if (_downsampler is not null)
        {
            h = _downsampler.Forward(h, temb, dropout);
            skips.Push(h);
        }
        return h;
    }
}
