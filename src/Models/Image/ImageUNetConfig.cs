namespace NativeTrustRegion.Models.Image;

/// <summary>
/// Configuration of a label-conditioned diffusers UNet2DModel (positional time embedding with flip_sin_to_cos and
/// freq_shift 0, SiLU, additive time embedding, class table added after the time MLP). Defaults are diffusers'
/// library defaults except where the field says otherwise.
/// </summary>
public sealed record ImageUNetConfig
{
    /// <summary>Height and width of the square input.</summary>
    public int SampleSize { get; init; } = 32;

    public int InChannels { get; init; } = 3;

    public int OutChannels { get; init; } = 3;

    /// <summary>Channels per resolution level (block_out_channels); level i runs at SampleSize / 2^i.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 256, 256];

    /// <summary>Down block kinds, one per level (DownBlock2D = Plain, AttnDownBlock2D = Attention).</summary>
    public IReadOnlyList<UNetBlockKind> DownBlocks { get; init; } =
        [UNetBlockKind.Plain, UNetBlockKind.Attention, UNetBlockKind.Attention, UNetBlockKind.Attention];

    /// <summary>Up block kinds, one per level, deepest level first (UpBlock2D = Plain, AttnUpBlock2D = Attention).</summary>
    public IReadOnlyList<UNetBlockKind> UpBlocks { get; init; } =
        [UNetBlockKind.Attention, UNetBlockKind.Attention, UNetBlockKind.Attention, UNetBlockKind.Plain];

    /// <summary>ResNets per down block; up blocks have one more.</summary>
    public int LayersPerBlock { get; init; } = 2;

    /// <summary>
    /// downsample_type. As in diffusers' get_down_block, only attention blocks honour it: plain DownBlock2D always
    /// downsamples with a strided conv (see <see cref="ResamplingInPlainBlocks"/>).
    /// </summary>
    public ResamplingLayer DownsampleType { get; init; } = ResamplingLayer.Conv;

    /// <summary>upsample_type; as for <see cref="DownsampleType"/>, only attention up blocks honour it.</summary>
    public ResamplingLayer UpsampleType { get; init; } = ResamplingLayer.Conv;

    /// <summary>
    /// Not a diffusers option: when true, plain blocks also use <see cref="DownsampleType"/>/<see cref="UpsampleType"/>.
    /// It exists to reproduce the 39,828,227-parameter count of architectures.md §5, which assumed this.
    /// </summary>
    public bool ResamplingInPlainBlocks { get; init; }

    /// <summary>Width of one attention head (diffusers attention_head_dim); heads = channels / this.</summary>
    public int AttentionHeadDim { get; init; } = 8;

    public int NormGroups { get; init; } = 32;

    public double NormEps { get; init; } = 1e-5;

    /// <summary>Dropout inside every ResnetBlock2D (between the second SiLU and conv2).</summary>
    public double Dropout { get; init; }

    /// <summary>Rows of the class table (num_class_embeds); 0 = unconditional.</summary>
    public int Classes { get; init; }

    /// <summary>Whether the mid block has its attention layer (add_attention).</summary>
    public bool MidBlockAttention { get; init; } = true;

    public int Levels => BlockOutChannels.Count;

    /// <summary>Width of the time embedding: 4 · BlockOutChannels[0].</summary>
    public int TimeEmbeddingDim => 4 * BlockOutChannels[0];

    /// <summary>Throws naming the model and the inconsistent field.</summary>
    public void Validate(string modelName)
    {
        void Fail(string problem) => throw new ArgumentException($"{modelName}: {problem}");
        if (Levels == 0)
        {
            Fail("BlockOutChannels is empty");
        }
        if (DownBlocks.Count != Levels || UpBlocks.Count != Levels)
        {
            Fail($"{Levels} levels of channels but {DownBlocks.Count} down and {UpBlocks.Count} up block kinds; give one of each per level");
        }
        if (LayersPerBlock < 1)
        {
            Fail($"LayersPerBlock is {LayersPerBlock}; use at least 1");
        }
        foreach (var c in BlockOutChannels)
        {
            if (c <= 0 || c % NormGroups != 0)
            {
                Fail($"channel count {c} is not a positive multiple of NormGroups {NormGroups}");
            }
        }
        if (SampleSize % (1 << (Levels - 1)) != 0)
        {
            Fail($"SampleSize {SampleSize} is not divisible by 2^{Levels - 1}, which {Levels} levels need");
        }
        if (Dropout < 0 || Dropout >= 1)
        {
            Fail($"Dropout {Dropout} is outside [0, 1)");
        }
        if (Classes < 0)
        {
            Fail($"Classes is {Classes}");
        }
    }
}
