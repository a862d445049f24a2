using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor output)
    {
        if (output.DType == DType.BF16)
        {
            BinaryBf16(op, a, b, output);
            return;
        }
        DTypeDispatch.For(output.DType, Binary<float>, Binary<double>)(op, a, b, output);
    }

    /// <summary>
    /// bf16 operands (any strides, broadcasts, an output aliasing an operand): widened to float32 views of their whole
    /// storage (exact), the float32 kernel computes, and the output's storage is rounded back to bf16 (elements the op
    /// did not write were widened exactly, so they round to themselves).
    /// </summary>
    private static void BinaryBf16(BinaryOp op, Tensor a, Tensor b, Tensor output)
    {
        var wa = BFloat16Widening.Widen(a);
        var wb = ReferenceEquals(a.Storage, b.Storage) ? new Tensor(wa.Storage, b.Shape, b.Strides, b.Offset) : BFloat16Widening.Widen(b);
        Tensor wo;
        if (ReferenceEquals(output.Storage, a.Storage))
        {
            wo = new Tensor(wa.Storage, output.Shape, output.Strides, output.Offset);
        }
        else if (ReferenceEquals(output.Storage, b.Storage))
        {
            wo = new Tensor(wb.Storage, output.Shape, output.Strides, output.Offset);
        }
        else
        {
            wo = output.IsContiguous ? BFloat16Widening.Scratch(output) : BFloat16Widening.Widen(output);
        }
        Binary<float>(op, wa, wb, wo);
        if (output.IsContiguous)
        {
            BFloat16Widening.Narrow(wo, output);
        }
        else
        {
            BFloat16Widening.Narrow(wo, output, 0, output.Storage.Length);
        }
    }

    private static void Binary<T>(BinaryOp op, Tensor a, Tensor b, Tensor output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var runs = new StridedRuns(output.Shape, (a.Offset, a.Strides), (b.Offset, b.Strides), (output.Offset, output.Strides));
        var sa = (CpuStorage)a.Storage;
        var sb = (CpuStorage)b.Storage;
        var so = (CpuStorage)output.Storage;
        var n = runs.InnerLength;
        int ia = runs.InnerStrides[0], ib = runs.InnerStrides[1], io = runs.InnerStrides[2];
        CpuParallel.For(runs.OuterCount, Math.Max(1, 32768 / Math.Max(1, n)), (start, end) =>
        {
            Span<long> off = stackalloc long[3];
            Span<int> index = stackalloc int[runs.OuterRank];
            var da = sa.Span<T>();
            var db = sb.Span<T>();
            var dout = so.Span<T>();
            runs.Start(start, off, index);
            for (var r = start; r < end; r++, runs.Next(index, off))
            {
                var o = dout.Slice((int)off[2], io == 1 ? n : dout.Length - (int)off[2]);
                if (io == 1 && ia == 1 && ib == 1)
                {
                    Run(op, da.Slice((int)off[0], n), db.Slice((int)off[1], n), o.Slice(0, n));
                }
                else if (io == 1 && ia == 1 && ib == 0)
                {
                    RunScalarRight(op, da.Slice((int)off[0], n), db[(int)off[1]], o.Slice(0, n));
                }
                else if (io == 1 && ia == 0 && ib == 1)
                {
                    RunScalarLeft(op, da[(int)off[0]], db.Slice((int)off[1], n), o.Slice(0, n));
                }
                else
                {
                    long pa = off[0], pb = off[1], po = off[2];
                    for (var i = 0; i < n; i++, pa += ia, pb += ib, po += io)
                    {
                        dout[(int)po] = Apply(op, da[(int)pa], db[(int)pb]);
                    }
                }
            }
        });
    }

    private static T Apply<T>(BinaryOp op, T x, T y)
        where T : IFloatingPointIeee754<T> => op switch
        {
            BinaryOp.Add => x + y,
            BinaryOp.Sub => x - y,
            BinaryOp.Mul => x * y,
            _ => x / y,
        };

    private static void Run<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, d); break;
            default: TensorPrimitives.Divide(x, y, d); break;
        }
    }

    private static void RunScalarRight<T>(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d)
        where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, d); break;
            default: TensorPrimitives.Divide(x, y, d); break;
        }
    }

    private static void RunScalarLeft<T>(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d)
        where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(y, x, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(y, x, d); break;
            default: TensorPrimitives.Divide(x, y, d); break;
        }
    }
}
