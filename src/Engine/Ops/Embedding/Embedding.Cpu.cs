using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void EmbeddingForward(Tensor table, Tensor ids, Tensor output)
    {
        DTypeDispatch.For(table.DType, EmbeddingForward<float>, EmbeddingForward<double>)(table, ids, output);
    }

    public void EmbeddingBackward(Tensor ids, Tensor dout, Tensor dtable)
    {
        DTypeDispatch.For(dout.DType, EmbeddingBackward<float>, EmbeddingBackward<double>)(ids, dout, dtable);
    }

    private static int[] ReadIds<T>(Tensor ids, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = Data<T>(ids);
        var result = new int[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            var v = double.CreateTruncating(src[i]);
            var id = (int)v;
            if (id != v || id < 0 || id >= rows)
            {
                throw new TensorOpException("Embedding", $"id {v} at position {i} is not a whole number in [0, {rows})",
                    $"pass class ids between 0 and {rows - 1} (the table has {rows} rows)");
            }
            result[i] = id;
        }
        return result;
    }

    private static void EmbeddingForward<T>(Tensor tt, Tensor idt, Tensor ot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = tt.Shape[0], d = tt.Shape[1];
        var ids = ReadIds<T>(idt, rows);
        var table = Data<T>(tt);
        var output = Data<T>(ot);
        for (var i = 0; i < ids.Length; i++)
        {
            table.Slice(ids[i] * d, d).CopyTo(output.Slice(i * d, d));
        }
    }

    private static void EmbeddingBackward<T>(Tensor idt, Tensor dot, Tensor dtt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = dtt.Shape[0], d = dtt.Shape[1];
        var ids = ReadIds<T>(idt, rows);
        var dout = Data<T>(dot);
        var dtable = Data<T>(dtt);
        for (var i = 0; i < ids.Length; i++)
        {
            var dst = dtable.Slice(ids[i] * d, d);
            TensorPrimitives.Add(dst, dout.Slice(i * d, d), dst);
        }
    }
}
