namespace NativeTrustRegion.Models.Image;

/// <summary>
/// How a block changes resolution (diffusers' downsample_type / upsample_type): a strided 3x3 conv (down) or
/// nearest 2x + 3x3 conv (up), or a ResnetBlock2D with down=True / up=True.
/// </summary>
public enum ResamplingLayer
{
    Conv,
    Resnet,
}
