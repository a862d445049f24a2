namespace NativeTrustRegion.Models.Policy;

/// <summary>
/// Configuration of Diffusion Policy's ConditionalUnet1D as the TRCL paper uses it (Appendix C.2): actions
/// [B, Horizon, ActionDim], FiLM conditioning on [step embedding, flattened observation history], and 8-head
/// self-attention blocks from <see cref="AttentionFromLevel"/> down. Defaults are the paper's sizes.
/// </summary>
public sealed record PolicyUNetConfig
{
    /// <summary>Action dimension Da (the trajectory's channels).</summary>
    public int ActionDim { get; init; } = 4;

    /// <summary>Sequence length T of the denoised action chunk.</summary>
    public int Horizon { get; init; } = 8;

    /// <summary>Dimension of one observation (39 for Meta-World).</summary>
    public int ObservationDim { get; init; } = 39;

    /// <summary>Number of observations in the history (To).</summary>
    public int ObservationSteps { get; init; } = 6;

    /// <summary>Width of the diffusion-step embedding (diffusion_step_embed_dim); its MLP hidden width is 4× this.</summary>
    public int StepEmbeddingDim { get; init; } = 512;

    /// <summary>Channels per level (down_dims).</summary>
    public IReadOnlyList<int> DownDims { get; init; } = [256, 512, 1024];

    public int KernelSize { get; init; } = 5;

    public int NormGroups { get; init; } = 8;

    public int AttentionHeads { get; init; } = 8;

    /// <summary>
    /// The first level (0-based) that gets self-attention: one block after each down level from here on and one
    /// between the two mid blocks when the deepest level qualifies. 1 with three levels gives the paper's
    /// "levels 2 and 3": one block at 512 channels and two at 1024. Null gives the standard ConditionalUnet1D.
    /// </summary>
    public int? AttentionFromLevel { get; init; } = 1;

    public int Levels => DownDims.Count;

    /// <summary>Flattened observation history: ObservationSteps · ObservationDim.</summary>
    public int GlobalConditionDim => ObservationSteps * ObservationDim;

    /// <summary>FiLM input width: StepEmbeddingDim + GlobalConditionDim.</summary>
    public int ConditionDim => StepEmbeddingDim + GlobalConditionDim;

    public bool HasAttentionAt(int level) => AttentionFromLevel is { } first && level >= first;

    /// <summary>Throws naming the model and the inconsistent field.</summary>
    public void Validate(string modelName)
    {
        void Fail(string problem) => throw new ArgumentException($"{modelName}: {problem}");
        if (Levels < 1)
        {
            Fail("DownDims is empty");
        }
        foreach (var d in DownDims)
        {
            if (d <= 0 || d % NormGroups != 0)
            {
                Fail($"channel count {d} is not a positive multiple of NormGroups {NormGroups}");
            }
        }
        for (var level = 0; level < Levels; level++)
        {
            if (HasAttentionAt(level) && DownDims[level] % AttentionHeads != 0)
            {
                Fail($"channel count {DownDims[level]} at level {level} cannot be split into {AttentionHeads} attention heads");
            }
        }
        if (Horizon % (1 << (Levels - 1)) != 0)
        {
            Fail($"Horizon {Horizon} is not divisible by 2^{Levels - 1}, which {Levels} levels need");
        }
        if (KernelSize % 2 != 1)
        {
            Fail($"KernelSize {KernelSize} must be odd");
        }
        if (StepEmbeddingDim < 4 || StepEmbeddingDim % 2 != 0)
        {
            Fail($"StepEmbeddingDim {StepEmbeddingDim} must be even and at least 4");
        }
        if (ActionDim < 1 || ObservationDim < 0 || ObservationSteps < 0)
        {
            Fail("ActionDim must be positive and the observation sizes non-negative");
        }
    }
}
