namespace NativeTrustRegion.Engine;

/// <summary>
/// Shape of a 2-D cross-correlation (PyTorch/cuDNN semantics): input [N, C, H, W], weight [K, C, R, S],
/// output [N, K, P, Q] with P = (H + 2·padH − R)/strideH + 1. 1-D convolutions use H = R = 1.
/// </summary>
public readonly record struct ConvGeometry(
    int Batch, int InChannels, int InH, int InW,
    int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW)
{
    public int OutH => (InH + 2 * PadH - KernelH) / StrideH + 1;

    public int OutW => (InW + 2 * PadW - KernelW) / StrideW + 1;

    /// <summary>Columns of the unfolded input: C·R·S.</summary>
    public int PatchSize => InChannels * KernelH * KernelW;

    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    /// <summary>Multiply-adds of one forward pass.</summary>
    public long MacCount => (long)Batch * OutChannels * OutH * OutW * PatchSize;
}
