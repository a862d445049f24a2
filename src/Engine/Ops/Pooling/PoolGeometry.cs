namespace NativeTrustRegion.Engine;

/// <summary>
/// Shape of a square 2-D pooling window (PyTorch's max_pool2d / avg_pool2d, floor mode, no dilation): input
/// [N, C, H, W], window <see cref="Kernel"/>×<see cref="Kernel"/> moved by <see cref="Stride"/> over the input padded by
/// <see cref="Padding"/> on every side; output [N, C, OutH, OutW] with OutH = (H + 2·padding − kernel)/stride + 1.
/// </summary>
public readonly record struct PoolGeometry(int Batch, int Channels, int InH, int InW, int Kernel, int Stride, int Padding)
{
    public int OutH => (InH + 2 * Padding - Kernel) / Stride + 1;

    public int OutW => (InW + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>N·C: the number of independent image planes.</summary>
    public int Planes => Batch * Channels;

    /// <summary>The first output index (row or column) whose window covers input index <paramref name="i"/>.</summary>
    public int FirstWindowCovering(int i)
    {
        var t = i + Padding - Kernel + 1;
        return t <= 0 ? 0 : (t + Stride - 1) / Stride;
    }

    /// <summary>The last output index (row or column, of <paramref name="outSize"/>) whose window covers input index <paramref name="i"/>.</summary>
    public int LastWindowCovering(int i, int outSize) => Math.Min(outSize - 1, (i + Padding) / Stride);

    /// <summary>The geometry of pooling <paramref name="x"/> [N, C, H, W]; throws naming <paramref name="op"/> if it is not valid.</summary>
    public static PoolGeometry Of(string op, Tensor x, int kernel, int stride, int padding)
    {
        TensorOpException.Rank(op, x, 4);
        if (kernel <= 0 || stride <= 0 || padding < 0)
        {
            throw new TensorOpException(op, $"kernel {kernel}, stride {stride} and padding {padding} must be positive (padding ≥ 0)", "use e.g. kernel 3, stride 2, padding 0");
        }
        if (padding > kernel / 2)
        {
            throw new TensorOpException(op, $"padding {padding} is more than half the kernel {kernel}", "use padding ≤ kernel/2 (as PyTorch requires)");
        }
        var g = new PoolGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel, stride, padding);
        if (x.Shape[2] + 2 * padding < kernel || x.Shape[3] + 2 * padding < kernel)
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} padded by {padding} is smaller than the {kernel}×{kernel} window",
                "use a larger input, more padding or a smaller kernel");
        }
        return g;
    }
}
