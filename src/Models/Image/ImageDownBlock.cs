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
    private readonly ImageBlockLayer[] _layers;
    private readonly ImageResampler? _downsampler;

    public ImageDownBlock(ParameterStore store, string name, ImageUNetConfig config, UNetBlockKind kind, int inChannels, int outChannels,
        ResamplingLayer? downsample)
    {
        _layers = new ImageBlockLayer[config.LayersPerBlock];
        for (var j = 0; j < _layers.Length; j++)
        {
            _layers[j] = new ImageBlockLayer(store, name, j, config, j == 0 ? inChannels : outChannels, outChannels, kind == UNetBlockKind.Attention);
        }
        _downsampler = downsample is { } layer
            ? new ImageResampler(store, $"{name}.downsamplers.0", config, outChannels, layer, ResnetResampling.Down)
            : null;
    }

    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips, Generator? dropout)
    {
        foreach (var layer in _layers)
        {
            h = layer.Forward(h, temb, dropout);
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
