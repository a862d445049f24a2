using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Kernel argument describing up to three operands (their element strides) over one iteration shape of at most
/// 8 dimensions; mirrors `struct StridedLayout` in kernels/common.cuh (232 bytes). Size-1 dimensions are dropped
/// and dimensions that are contiguous across every operand are merged, so most views need one or two dims.
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
        var dims = new List<int>();
        var strides = new List<long[]>();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }
            var s = new long[operandStrides.Length];
            for (var k = 0; k < s.Length; k++)
            {
                s[k] = operandStrides[k][d];
            }
            if (dims.Count > 0)
            {
                var last = dims.Count - 1;
                var mergeable = true;
                for (var k = 0; k < s.Length; k++)
                {
                    if (strides[last][k] != s[k] * shape[d])
                    {
                        mergeable = false;
                        break;
                    }
                }
                if (mergeable)
                {
                    dims[last] *= shape[d];
                    strides[last] = s;
                    continue;
                }
            }
            dims.Add(shape[d]);
            strides.Add(s);
        }
        if (dims.Count > MaxDims)
        {
            throw new TensorOpException(op, $"the view of shape {TensorOpException.Format(shape)} needs {dims.Count} strided dimensions on the GPU (at most {MaxDims})",
                "call .Contiguous() on the operands first");
        }
        var layout = default(StridedLayout);
        layout.Rank = dims.Count;
        for (var d = 0; d < dims.Count; d++)
        {
            layout.Shape[d] = dims[d];
            for (var k = 0; k < operandStrides.Length; k++)
            {
                layout.Strides[k * MaxDims + d] = strides[d][k];
            }
        }
        return layout;
    }
}
