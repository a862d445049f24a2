namespace NativeTrustRegion.Data;

/// <summary>
/// Image pixels of one element type, stored in chunks so that data sets larger than one .NET
/// array (2^31 elements, e.g. the ImageNet-500 training set in bytes) still fit.
/// Immutable once built; built by <see cref="PixelStoreBuilder{T}"/>.
/// </summary>
internal sealed class PixelStore<T> where T : unmanaged
{
    private readonly T[][] chunks;
    private readonly int imagesPerChunk;

    public int ImageSize { get; }
    public int Count { get; }

    internal PixelStore(T[][] chunks, int imagesPerChunk, int imageSize, int count)
    {
        this.chunks = chunks;
        this.imagesPerChunk = imagesPerChunk;
        ImageSize = imageSize;
        Count = count;
    }

    public ReadOnlySpan<T> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"0 ≤ index < {Count}");
        return chunks[index / imagesPerChunk].AsSpan(index % imagesPerChunk * ImageSize, ImageSize);
    }

    /// <summary>Number of images per chunk so that one chunk holds at most 2^26 elements.</summary>
    internal static int ImagesPerChunkFor(int imageSize) => Math.Max(1, (1 << 26) / Math.Max(1, imageSize));
}

/// <summary>Appends images one at a time into chunked storage.</summary>
internal sealed class PixelStoreBuilder<T> where T : unmanaged
{
    private readonly List<T[]> chunks = new();
    private readonly int imagesPerChunk;
    private readonly int imageSize;
    private readonly int expectedCount;
    private int count;

    public PixelStoreBuilder(int imageSize, int expectedCount = 0)
    {
        if (imageSize <= 0) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "must be positive");
        this.imageSize = imageSize;
        imagesPerChunk = PixelStore<T>.ImagesPerChunkFor(imageSize);
        this.expectedCount = expectedCount;
    }

    public int Count => count;

    /// <summary>Reserves the next image slot and returns it for writing.</summary>
    public Span<T> AppendSlot()
    {
        int inChunk = count % imagesPerChunk;
        if (inChunk == 0)
        {
            int remainingExpected = Math.Max(expectedCount - count, 1);
            int chunkImages = Math.Min(imagesPerChunk, Math.Max(remainingExpected, Math.Min(imagesPerChunk, 1024)));
            chunks.Add(new T[(long)chunkImages * imageSize]);
        }
        T[] chunk = chunks[^1];
        int offset = inChunk * imageSize;
        if (offset + imageSize > chunk.Length)
        {
            // The last chunk was sized for the expected count; grow it up to the chunk limit.
            int grownImages = Math.Min(imagesPerChunk, Math.Max(inChunk + 1, inChunk * 2));
            Array.Resize(ref chunk, grownImages * imageSize);
            chunks[^1] = chunk;
        }
        count++;
        return chunk.AsSpan(offset, imageSize);
    }

    public void Append(ReadOnlySpan<T> image)
    {
        if (image.Length != imageSize)
            throw new ArgumentException($"image has {image.Length} values, expected {imageSize}", nameof(image));
        image.CopyTo(AppendSlot());
    }

    public PixelStore<T> Build()
    {
        if (chunks.Count > 0)
        {
            int lastImages = count - (chunks.Count - 1) * imagesPerChunk;
            T[] last = chunks[^1];
            if (last.Length != lastImages * imageSize)
            {
                Array.Resize(ref last, lastImages * imageSize);
                chunks[^1] = last;
            }
        }
        return new PixelStore<T>(chunks.ToArray(), imagesPerChunk, imageSize, count);
    }
}
