namespace NativeTrustRegion.Data;

/// <summary>
/// Builds an <see cref="ImageDataset"/> one image at a time (e.g. a replay pool of generated samples,
/// or a loader converting a file). Not thread-safe.
/// </summary>
public sealed class ImageDatasetBuilder
{
    private readonly PixelStoreBuilder<byte>? bytes;
    private readonly PixelStoreBuilder<float>? floats;
    private readonly List<int> labels;
    private readonly int imageSize;

    public string Name { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int ClassCount { get; }
    public PixelFormat Format { get; }
    public int Count => labels.Count;

    public ImageDatasetBuilder(string name, PixelFormat format, int channels, int height, int width, int classCount, int expectedCount = 0)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image shape {channels}×{height}×{width} must be positive");
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "must be positive");
        Name = name;
        Format = format;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        imageSize = channels * height * width;
        labels = new List<int>(Math.Max(expectedCount, 0));
        if (format == PixelFormat.Byte) bytes = new PixelStoreBuilder<byte>(imageSize, expectedCount);
        else floats = new PixelStoreBuilder<float>(imageSize, expectedCount);
    }

    /// <summary>Reserves a byte image slot with the given label; fill the returned span (C·H·W values).</summary>
    public Span<byte> AppendByteSlot(int label)
    {
        if (bytes is null) throw new InvalidOperationException($"{Name} is being built with float pixels");
        CheckLabel(label);
        labels.Add(label);
        return bytes.AppendSlot();
    }

    /// <summary>Reserves a float image slot (training scale [-1, 1]) with the given label.</summary>
    public Span<float> AppendFloatSlot(int label)
    {
        if (floats is null) throw new InvalidOperationException($"{Name} is being built with byte pixels");
        CheckLabel(label);
        labels.Add(label);
        return floats.AppendSlot();
    }

    public void Append(ReadOnlySpan<byte> image, int label)
    {
        CheckLength(image.Length);
        image.CopyTo(AppendByteSlot(label));
    }

    public void Append(ReadOnlySpan<float> image, int label)
    {
        CheckLength(image.Length);
        image.CopyTo(AppendFloatSlot(label));
    }

    public ImageDataset Build(IReadOnlyList<string>? classNames = null) =>
        ImageDataset.FromStore(Name, bytes?.Build(), floats?.Build(), labels.ToArray(), Channels, Height, Width, ClassCount, classNames);

    private void CheckLabel(int label)
    {
        if ((uint)label >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"{Name} has classes 0..{ClassCount - 1}");
    }

    private void CheckLength(int length)
    {
        if (length != imageSize) throw new ArgumentException($"image has {length} values, expected {imageSize} ({Channels}×{Height}×{Width})");
    }
}
