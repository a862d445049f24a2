using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Kernel argument describing up to three operands (their element strides) over one iteration shape of at most
/// 8 dimensions; mirrors `struct StridedLayout` in kernels/common.cuh (232 bytes). Size-1 dimensions are dropped
/// and dimensions that are contiguous across every operand are merged (<see cref="MergedLayout"/>), so most views need one or two dims.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct StridedLayout
{
    public const int MaxDims = 8;
    public const int MaxOperands = 3;

    public int Rank;
    public fixed int Shape[MaxDims];
    public fixed long Strides[MaxOperands * MaxDims];

    public static StridedLayout Create(string op, ReadOnlySpan<int> shape, params int[][] operandStrides)
    {
        var merged = MergedLayout.Of(shape, operandStrides);
        if (merged.Rank > MaxDims)
        {
            throw new TensorOpException(op, $"the view of shape {TensorOpException.Format(shape)} needs {merged.Rank} strided dimensions on the GPU (at most {MaxDims})",
                "call .Contiguous() on the operands first");
        }
        var layout = default(StridedLayout);
        layout.Rank = merged.Rank;
        for (var d = 0; d < merged.Rank; d++)
        {
            layout.Shape[d] = merged.Shape[d];
            for (var k = 0; k < operandStrides.Length; k++)
            {
                layout.Strides[k * MaxDims + d] = merged.Strides[k][d];
            }
        }
        return layout;
    }
}
