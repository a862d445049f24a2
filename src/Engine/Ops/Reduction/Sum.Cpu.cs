using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void ReduceSum(Tensor x, Tensor output, bool accumulate)
    {
        DTypeDispatch.For(x.DType, ReduceSum<float>, ReduceSum<double>)(x, output, accumulate);
    }

    private static void ReduceSum<T>(Tensor x, Tensor output, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rank = x.Rank;
        var keptAxes = new List<int>();
        var reducedAxes = new List<int>();
        for (var i = 0; i < rank; i++)
        {
            if (output.Shape[i] == 1 && x.Shape[i] != 1)
            {
                reducedAxes.Add(i);
            }
            else
            {
                keptAxes.Add(i);
            }
        }
        // Reorder x so kept axes come first and reduced axes last; then each output element owns one block.
        var order = keptAxes.Concat(reducedAxes).ToArray();
        var shape = order.Select(a => x.Shape[a]).ToArray();
        var strides = order.Select(a => x.Strides[a]).ToArray();
        var outCount = (int)output.Numel;
        var keptShape = keptAxes.Select(a => x.Shape[a]).ToArray();
        var keptStrides = keptAxes.Select(a => x.Strides[a]).ToArray();
        var redShape = shape.Skip(keptAxes.Count).ToArray();
        var redStrides = strides.Skip(keptAxes.Count).ToArray();
        var xs = (CpuStorage)x.Storage;
        var baseOffset = x.Offset;
        var outOffset = (int)output.Offset;
        var os = (CpuStorage)output.Storage;

        // Fast path: reducing leading axes of a contiguous tensor (e.g. bias gradients): add rows.
        var leading = reducedAxes.Count > 0 && reducedAxes.SequenceEqual(Enumerable.Range(0, reducedAxes.Count)) && x.IsContiguous;
        if (leading)
        {
            var rows = (int)Shape.Numel(redShape);
            var cols = outCount;
            CpuParallel.For(cols, Math.Max(256, CpuParallel.GrainFor(cols, 256)), (c0, c1) =>
            {
                var src = xs.Span<T>().Slice((int)baseOffset);
                var dst = os.Span<T>().Slice(outOffset + c0, c1 - c0);
                if (!accumulate)
                {
                    dst.Clear();
                }
                for (var r = 0; r < rows; r++)
                {
                    TensorPrimitives.Add(dst, src.Slice(r * cols + c0, c1 - c0), dst);
                }
            });
            return;
        }

        var runs = new StridedRuns(redShape, (0, redStrides));
        var inner = runs.InnerLength;
        var innerStride = runs.InnerStrides[0];
        CpuParallel.For(outCount, Math.Max(1, CpuParallel.GrainFor(outCount)), (o0, o1) =>
        {
            var src = xs.Span<T>();
            var dst = os.Span<T>();
            Span<long> off = stackalloc long[1];
            for (var o = o0; o < o1; o++)
            {
                long start = baseOffset;
                var rem = o;
                for (var d = keptShape.Length - 1; d >= 0; d--)
                {
                    start += (long)(rem % keptShape[d]) * keptStrides[d];
                    rem /= keptShape[d];
                }
                var acc = T.Zero;
                for (var r = 0; r < runs.OuterCount; r++)
                {
                    runs.Start(r, off);
                    var p = start + off[0];
                    if (innerStride == 1)
                    {
                        acc += TensorPrimitives.Sum<T>(src.Slice((int)p, inner));
                    }
                    else
                    {
                        for (var i = 0; i < inner; i++, p += innerStride)
                        {
                            acc += src[(int)p];
                        }
                    }
                }
                dst[outOffset + o] = accumulate ? dst[outOffset + o] + acc : acc;
            }
        });
    }
}
