namespace NativeTrustRegion.Engine;

/// <summary>
/// Several operands walked over one iteration shape (each with its own element strides), simplified for a
/// strided kernel: size-1 dimensions are dropped, and a dimension is merged into the one before it wherever every
/// operand is contiguous across the two (outer stride = inner stride × inner size). The merged layout addresses
/// exactly the element offsets the original one does, in the same row-major order. Shared by the CPU's
/// strided runs and the CUDA kernels' strided-layout argument.
/// </summary>
internal sealed class MergedLayout
{
    private MergedLayout(int[] shape, long[][] strides)
    {
        Shape = shape;
        Strides = strides;
    }

    /// <summary>The merged dimensions, outermost first (empty when every dimension had size 1).</summary>
    public int[] Shape { get; }

    /// <summary><c>Strides[k][d]</c>: operand k's element stride along merged dimension d.</summary>
    public long[][] Strides { get; }

    public int Rank => Shape.Length;

    /// <param name="shape">The iteration shape.</param>
    /// <param name="operandStrides">Each operand's element strides over <paramref name="shape"/> (one per dimension).</param>
    public static MergedLayout Of(ReadOnlySpan<int> shape, params int[][] operandStrides)
    {
        var operands = operandStrides.Length;
        var dims = new List<int>(shape.Length);
        var strides = new List<long[]>(shape.Length); // per merged dimension, per operand
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }
            var s = new long[operands];
            for (var k = 0; k < operands; k++)
            {
                s[k] = operandStrides[k][d];
            }
            if (dims.Count > 0)
            {
                var last = dims.Count - 1;
                var mergeable = true;
                for (var k = 0; k < operands; k++)
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
        var byOperand = new long[operands][];
        for (var k = 0; k < operands; k++)
        {
            byOperand[k] = new long[dims.Count];
            for (var d = 0; d < dims.Count; d++)
            {
                byOperand[k][d] = strides[d][k];
            }
        }
        return new MergedLayout(dims.ToArray(), byOperand);
    }
}
