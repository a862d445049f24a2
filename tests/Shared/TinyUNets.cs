using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Tests.Shared;

/// <summary>
/// The small UNets the whole-model checks share (float64 central differences and Hessian-vector products need few
/// parameters). Linked into each test project that builds models, so every check runs the same networks.
/// </summary>
public static class TinyUNets
{
    /// <summary>
    /// Three levels (8, 8, 16 channels at 8x8, 4x4, 2x2) covering every image layer: attention in a down block with a
    /// resnet downsampler, plain down blocks, attention in an up block with a resnet upsampler, plain up blocks, mid
    /// attention, 1x1 shortcuts, a class table and dropout.
    /// </summary>
    public static ImageUNetConfig ThreeLevelImage => new()
    {
        SampleSize = 8,
        InChannels = 2,
        OutChannels = 2,
        BlockOutChannels = [8, 8, 16],
        DownBlocks = [UNetBlockKind.Attention, UNetBlockKind.Plain, UNetBlockKind.Plain],
        UpBlocks = [UNetBlockKind.Attention, UNetBlockKind.Plain, UNetBlockKind.Plain],
        LayersPerBlock = 1,
        DownsampleType = ResamplingLayer.Resnet,
        UpsampleType = ResamplingLayer.Resnet,
        AttentionHeadDim = 4,
        NormGroups = 4,
        Dropout = 0.2,
        Classes = 3,
    };

    /// <summary>Two levels (8, 16 channels; attention at the first), no dropout: the second-order parities.</summary>
    public static ImageUNetConfig TwoLevelImage => ThreeLevelImage with
    {
        BlockOutChannels = [8, 16],
        DownBlocks = [UNetBlockKind.Attention, UNetBlockKind.Plain],
        UpBlocks = [UNetBlockKind.Attention, UNetBlockKind.Plain],
        Dropout = 0,
    };

    /// <summary>Two levels (8, 16 channels), FiLM from an 8-wide step embedding and 2 × 3 observations, attention at level 2.</summary>
    public static PolicyUNetConfig Policy => new()
    {
        ActionDim = 2,
        Horizon = 4,
        ObservationDim = 3,
        ObservationSteps = 2,
        StepEmbeddingDim = 8,
        DownDims = [8, 16],
        NormGroups = 4,
        AttentionHeads = 2,
        AttentionFromLevel = 1,
    };
}
