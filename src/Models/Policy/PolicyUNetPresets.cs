namespace NativeTrustRegion.Models.Policy;

/// <summary>Named policy UNet configurations.</summary>
public static class PolicyUNetPresets
{
    /// <summary>
    /// The paper's policy (Appendix C.2): Da 4, T 8, observations 6×39, step embedding 512 (MLP 512→2048→512),
    /// down dims (256, 512, 1024), kernel 5, GroupNorm 8, FiLM, 8-head attention at levels 2 and 3 (one block at 512,
    /// two at 1024, two LayerNorms each). 83,269,892 parameters — the paper's "83.27M".
    /// </summary>
    public static PolicyUNetConfig Paper => new();

    /// <summary>The paper's sizes without the attention blocks (Chi et al.'s standard ConditionalUnet1D): 73,812,228.</summary>
    public static PolicyUNetConfig PaperWithoutAttention => new() { AttentionFromLevel = null };

    /// <summary>A CPU-sized policy with the paper's interface (Da 4, T 8, 6×39 observations): dims (32, 64), step embedding 64, attention at level 2.</summary>
    public static PolicyUNetConfig Tiny => new()
    {
        DownDims = [32, 64],
        StepEmbeddingDim = 64,
        AttentionFromLevel = 1,
    };
}
