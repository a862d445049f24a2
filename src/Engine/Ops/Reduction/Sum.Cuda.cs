namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void ReduceSum(Tensor x, Tensor output, bool accumulate)
    {
        long outCount = output.Numel;
        if (outCount == 0)
        {
            return;
        }
        var (layout, reduceCount, columns) = ReduceLayout.Create(x.Shape, x.Strides, output.Shape);
        if (reduceCount == 0 || x.Numel == 0)
        {
            if (!accumulate)
            {
                Fill(output, 0);
            }
            return;
        }
        // Few outputs with long reductions are split so the GPU has enough parallel work (about 64K threads for
        // column sums, 8K warps otherwise); the split count depends only on the shapes, never on the device.
        var splits = columns
            ? (int)Math.Clamp(Math.Min((65536 + outCount - 1) / outCount, reduceCount / 32), 1, 1024)
            : (int)Math.Clamp(Math.Min((8192 + outCount - 1) / outCount, reduceCount / 256), 1, 1024);
        ulong px = Ptr(x), po = Ptr(output);
        var acc = accumulate ? 1 : 0;
        using var partial = Scratch(x.DType, splits == 1 ? 1 : outCount * splits);
        var pp = partial.Pointer;
        var kernel = columns ? "reduce_columns" : "reduce_warp";
        var threads = columns ? outCount * splits : outCount * splits * 32;
        var blocks = (uint)((threads + 255) / 256);
        void** args = stackalloc void*[] { &px, &po, &pp, &layout, &outCount, &reduceCount, &splits, &acc };
        Launch("reduce", kernel, x.DType, blocks, 1, 256, 0, args);
        if (splits > 1)
        {
            void** fargs = stackalloc void*[] { &pp, &po, &outCount, &splits, &acc };
            Launch("reduce", "reduce_finish", x.DType, outCount, fargs);
        }
    }

    /// <summary>out[c] (+)= Σ_r partial[r·cols + c] in order of r (deterministic column sums of a [rows, cols] buffer).</summary>
    internal void SumRows(ulong partial, Tensor output, long cols, int rows, bool accumulate)
    {
        var po = Ptr(output);
        var acc = accumulate ? 1 : 0;
        void** args = stackalloc void*[] { &partial, &po, &cols, &rows, &acc };
        Launch("reduce", "reduce_finish", output.DType, cols, args);
    }
}
