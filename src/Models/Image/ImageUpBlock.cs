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
    private readonly ImageBlockLayer[] _layers;
    private readonly ImageResampler? _upsampler;

    /// <param name="skipChannels">Channels of the skips this block consumes, in the order it pops them.</param>
    public ImageUpBlock(ParameterStore store, string name, ImageUNetConfig config, UNetBlockKind kind, int previousChannels, int outChannels,
        IReadOnlyList<int> skipChannels, ResamplingLayer? upsample)
    {
        _layers = new ImageBlockLayer[skipChannels.Count];
        for (var j = 0; j < _layers.Length; j++)
        {
            var inChannels = (j == 0 ? previousChannels : outChannels) + skipChannels[j];
            _layers[j] = new ImageBlockLayer(store, name, j, config, inChannels, outChannels, kind == UNetBlockKind.Attention);
        }
        _upsampler = upsample is { } layer
            ? new ImageResampler(store, $"{name}.upsamplers.0", config, outChannels, layer, ResnetResampling.Up)
            : null;
    }

    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips, Generator? dropout)
    {
        foreach (var layer in _layers)
        {
            h = layer.Forward(Ops.Concat([h, skips.Pop()], 1), temb, dropout);
        }
        return _upsampler is not null ? _upsampler.Forward(h, temb, dropout) : h;
    }
}
