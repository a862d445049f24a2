namespace NativeTrustRegion.Data;

/// <summary>
/// One prepared batch, valid until the next <see cref="BatchLoader.Next"/> call (its staging buffer is then reused).
/// Images are <see cref="Count"/>×C×H×W floats in [-1, 1].
/// </summary>
public sealed class LoadedBatch
{
    private readonly int imageSize;

    internal LoadedBatch(IStagingBuffer buffer, int batchSize, int imageSize)
    {
        Buffer = buffer;
        this.imageSize = imageSize;
        ItemIndices = new int[batchSize];
    }

    /// <summary>The whole staging buffer (may be larger than this batch).</summary>
    public IStagingBuffer Buffer { get; }

    public int Count { get; internal set; }

    /// <summary>Global batch number since the loader started (0, 1, 2, …).</summary>
    public long Step { get; internal set; }

    public int Epoch { get; internal set; }
    public int BatchInEpoch { get; internal set; }

    /// <summary>Data set index of every image (first <see cref="Count"/> entries are valid).</summary>
    internal int[] ItemIndices { get; }

    public ReadOnlySpan<int> Indices => ItemIndices.AsSpan(0, Count);
    public Span<float> Images => Buffer.Images[..(Count * imageSize)];
    public Span<int> Labels => Buffer.Labels[..Count];
}
