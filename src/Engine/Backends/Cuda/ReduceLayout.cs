using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Kernel argument of a sum over axes: the kept dimensions (one per output element, in output order) and the
/// reduced dimensions of the input with their strides; mirrors `struct ReduceLayout` in kernels/common.cuh (200 bytes).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ReduceLayout
{
    public const int MaxDims = 8;

    public int KeptRank;
    public int ReducedRank;
    public fixed int KeptShape[MaxDims];
    public fixed int ReducedShape[MaxDims];
    public fixed long KeptStride[MaxDims];
    public fixed long ReducedStride[MaxDims];

    /// <summary>
    /// Splits x (shape, strides) into kept axes (output size equals input size) and reduced axes (output size 1).
    /// Also returns the number of elements summed per output and whether the innermost kept dimension has stride 1
    /// (then one thread per output element reads coalesced).
    /// </summary>
    public static (ReduceLayout Layout, long ReduceCount, bool InnermostKeptContiguous) Create(int[] shape, int[] strides, int[] outputShape)
    {
        var kept = new List<(int Size, long Stride)>();
        var reduced = new List<(int Size, long Stride)>();
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1)
            {
                continue;
            }
            if (outputShape[i] == 1)
            {
                reduced.Add((shape[i], strides[i]));
            }
            else
            {
                kept.Add((shape[i], strides[i]));
            }
        }
        kept = Merge(kept);
        reduced = Merge(reduced);
        if (kept.Count > MaxDims || reduced.Count > MaxDims)
        {
            throw new TensorOpException("Sum", $"the input of shape {TensorOpException.Format(shape)} needs more than {MaxDims} strided dimensions on the GPU", "call .Contiguous() first");
        }
        var layout = default(ReduceLayout);
        layout.KeptRank = kept.Count;
        layout.ReducedRank = reduced.Count;
        long reduceCount = 1;
        for (var d = 0; d < kept.Count; d++)
        {
            layout.KeptShape[d] = kept[d].Size;
            layout.KeptStride[d] = kept[d].Stride;
        }
        for (var d = 0; d < reduced.Count; d++)
        {
            layout.ReducedShape[d] = reduced[d].Size;
            layout.ReducedStride[d] = reduced[d].Stride;
            reduceCount *= reduced[d].Size;
        }
        return (layout, reduceCount, kept.Count > 0 && kept[^1].Stride == 1);
    }

    private static List<(int Size, long Stride)> Merge(List<(int Size, long Stride)> dims)
    {
        var result = new List<(int Size, long Stride)>();
        foreach (var d in dims)
        {
            if (result.Count > 0 && result[^1].Stride == d.Stride * d.Size)
            {
                result[^1] = (result[^1].Size * d.Size, d.Stride);
            }
            else
            {
                result.Add(d);
            }
        }
        return result;
    }
}
