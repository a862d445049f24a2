using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>
/// The resolution change at the end of an image down or up block (diffusers' downsamplers.0 / upsamplers.0), as
/// <see cref="ResamplingLayer"/> picks: Downsample2D (3x3 conv, stride 2) or Upsample2D (nearest 2x, then 3x3 conv),
/// both with parameters under ".conv"; or a ResnetBlock2D with down=True / up=True.
/// </summary>
internal sealed class ImageResampler
{
    private readonly ResnetResampling _direction;
    private readonly Conv2d? _conv;
    private readonly ResnetBlock2D? _resnet;

    public ImageResampler(ParameterStore store, string name, ImageUNetConfig config, int channels, ResamplingLayer layer,
        ResnetResampling direction)
    {
        _direction = direction;
        if (layer == ResamplingLayer.Conv)
        {
            _conv = new Conv2d(store, $"{name}.conv", channels, channels, 3, stride: direction == ResnetResampling.Down ? 2 : 1, padding: 1);
        }
        else
        {
            _resnet = new ResnetBlock2D(store, name, channels, channels, config.TimeEmbeddingDim, config.NormGroups, config.NormEps,
                config.Dropout, direction);
        }
    }

    public Tensor Forward(Tensor h, Tensor temb, Generator? dropout) => _resnet is not null
        ? _resnet.Forward(h, temb, dropout)
        : _conv!.Forward(_direction == ResnetResampling.Up ? Ops.UpsampleNearest2x(h) : h);
}
