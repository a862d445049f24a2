namespace NativeTrustRegion.Models.Image;

/// <summary>Named image UNet configurations. Parameter counts are checked against closed forms in the tests.</summary>
public static class ImageUNetPresets
{
    private const UNetBlockKind D = UNetBlockKind.Plain;
    private const UNetBlockKind A = UNetBlockKind.Attention;

    /// <summary>
    /// The TRCL authors' 32x32 model (architectures.md §5): channels (128, 256, 256, 256), down D,D,A,D, up U,A,U,U,
    /// resnet down/up sampling (honoured by the attention blocks only, as diffusers does), dropout 0.1, GroupNorm 32,
    /// 500 classes. 37,447,171 parameters — the paper's "37.45M" (Table 6).
    /// </summary>
    public static ImageUNetConfig Paper => new()
    {
        SampleSize = 32,
        InChannels = 3,
        OutChannels = 3,
        BlockOutChannels = [128, 256, 256, 256],
        DownBlocks = [D, D, A, D],
        UpBlocks = [D, A, D, D],
        LayersPerBlock = 2,
        DownsampleType = ResamplingLayer.Resnet,
        UpsampleType = ResamplingLayer.Resnet,
        Dropout = 0.1,
        NormGroups = 32,
        Classes = 500,
    };

    /// <summary>diffusers' library defaults with the paper's channels: down D,A,A,A, up A,A,A,U, conv sampling. 38,383,107 + 512·K.</summary>
    public static ImageUNetConfig DiffusersDefault(int classes = 10) => new()
    {
        SampleSize = 32,
        BlockOutChannels = [128, 256, 256, 256],
        DownBlocks = [D, A, A, A],
        UpBlocks = [A, A, A, D],
        Classes = classes,
    };

    /// <summary>The DDPM CIFAR-10 layout (google/ddpm-cifar10-32): down D,A,D,D, up U,U,A,U, conv sampling, unconditional. 35,746,307.</summary>
    public static ImageUNetConfig DdpmCifar10 => new()
    {
        SampleSize = 32,
        BlockOutChannels = [128, 256, 256, 256],
        DownBlocks = [D, A, D, D],
        UpBlocks = [D, D, A, D],
        Classes = 0,
    };

    /// <summary>
    /// A CPU-sized model for the embedded 16x16 grayscale set with 10 classes: channels (32, 64), one ResNet per down
    /// block, attention at 8x8 (down and up), resnet upsampling in the attention up block, GroupNorm 8, dropout 0.1.
    /// </summary>
    public static ImageUNetConfig Tiny => new()
    {
        SampleSize = 16,
        InChannels = 1,
        OutChannels = 1,
        BlockOutChannels = [32, 64],
        DownBlocks = [D, A],
        UpBlocks = [A, D],
        LayersPerBlock = 1,
        DownsampleType = ResamplingLayer.Resnet,
        UpsampleType = ResamplingLayer.Resnet,
        NormGroups = 8,
        Dropout = 0.1,
        Classes = 10,
    };

    /// <summary>
    /// The CPU demo's model for the embedded 16x16 glyphs: the <see cref="Tiny"/> layout at half width (channels 16, 32;
    /// attention with 4 heads of 8 at 8x8), GroupNorm 8, no dropout, 10 classes; plain strided-conv down- and nearest+conv
    /// up-sampling instead of ResNet resampling (about 20% faster per step on the CPU).
    /// </summary>
    public static ImageUNetConfig Micro => Tiny with { BlockOutChannels = [16, 32], Dropout = 0, DownsampleType = ResamplingLayer.Conv, UpsampleType = ResamplingLayer.Conv };

    /// <summary>
    /// A small model for 28x28 grayscale MNIST-like data with 10 classes, shaped like the paper's: channels
    /// (32, 64, 128), down D,A,D, up U,A,U (attention at 14x14), resnet sampling in the attention blocks,
    /// two ResNets per down block, GroupNorm 8, dropout 0.1. Use <c>with { SampleSize = 32 }</c> for 32 px data.
    /// </summary>
    public static ImageUNetConfig Small28 => new()
    {
        SampleSize = 28,
        InChannels = 1,
        OutChannels = 1,
        BlockOutChannels = [32, 64, 128],
        DownBlocks = [D, A, D],
        UpBlocks = [D, A, D],
        LayersPerBlock = 2,
        DownsampleType = ResamplingLayer.Resnet,
        UpsampleType = ResamplingLayer.Resnet,
        NormGroups = 8,
        Dropout = 0.1,
        Classes = 10,
    };
}
