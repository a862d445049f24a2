using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>
/// UpBlock2D / AttnUpBlock2D: (LayersPerBlock + 1) × (concat [h, popped skip] on channels → ResNet [+ attention]),
/// then (except at the finest level) an upsampler.
/// </summary>
internal sealed class ImageUpBlock
{
    private readonly ResnetBlock2D[] _resnets;
    private readonly Attention2D?[] _attentions;
    private readonly ImageResampler? _upsampler;

    /// <param name="skipChannels">Channels of the skips this block consumes, in the order it pops them.</param>
    public ImageUpBlock(ParameterStore store, string name, ImageUNetConfig config, UNetBlockKind kind, int previousChannels, int outChannels,
        IReadOnlyList<int> skipChannels, ResamplingLayer? upsample)
    {
        var layers = skipChannels.Count;
        _resnets = new ResnetBlock2D[layers];
        _attentions = new Attention2D?[layers];
        for (var j = 0; j < layers; j++)
        {
            var inChannels = (j == 0 ? previousChannels : outChannels) + skipChannels[j];
            _resnets[j] = new ResnetBlock2D(store, $"{name}.resnets.{j}", inChannels, outChannels, config.TimeEmbeddingDim,
                config.NormGroups, config.NormEps, config.Dropout);
            _attentions[j] = kind == UNetBlockKind.Attention
                ? new Attention2D(store, $"{name}.attentions.{j}", outChannels, config.AttentionHeadDim, config.NormGroups, config.NormEps)
                : null;
        }
        _upsampler = upsample is { } layer
            ? new ImageResampler(store, $"{name}.upsamplers.0", config, outChannels, layer, ResnetResampling.Up)
            : null;
    }

    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips, Generator? dropout)
    {
        for (var j = 0; j < _resnets.Length; j++)
        {
            h = Ops.Concat([h, skips.Pop()], 1);
            h = _resnets[j].Forward(h, temb, dropout);
            if (_attentions[j] is { } attention)
            {
                h = attention.Forward(h);
            }
        }
        return _upsampler is not null ? _upsampler.Forward(h, temb, dropout) : h;
    }
}
