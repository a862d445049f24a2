namespace NativeTrustRegion.Engine;

/// <summary>Arithmetic on shapes and strides (row-major, element strides).</summary>
public static class Shape
{
    public static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }
        return n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        long s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = checked((int)s);
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        long expected = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] != 1 && strides[i] != expected)
            {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>NumPy broadcasting of two shapes; throws naming the op when they are incompatible.</summary>
    public static int[] Broadcast(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
            {
                throw new TensorOpException(op,
                    $"shapes {TensorOpException.Format(a)} and {TensorOpException.Format(b)} do not broadcast (dimension {i}: {da} vs {db})",
                    "make the sizes equal or 1 in every aligned dimension (reshape/unsqueeze the smaller operand)");
            }
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Normalises a possibly negative axis into [0, rank).</summary>
    public static int Axis(string op, int axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new TensorOpException(op, $"axis {axis} is out of range for rank {rank}", $"use an axis in [-{rank}, {rank - 1}]");
        }
        return a;
    }
}
