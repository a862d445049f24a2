namespace NativeTrustRegion.Data;

/// <summary>
/// An in-memory labelled image set: <see cref="Count"/> images of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// pixels (channel-planar, row-major: index = (c·H + y)·W + x), an integer class label per image in
/// [0, <see cref="ClassCount"/>). Pixels are bytes 0..255 or floats in [-1, 1] (<see cref="Format"/>);
/// <see cref="CopyImage"/> always yields floats on the training scale [-1, 1].
/// Subsets (<see cref="WithClasses"/>, <see cref="Subset"/>) are cheap views that share the pixels.
/// Immutable and safe to read from several threads.
/// </summary>
public sealed class ImageDataset
{
    private static readonly float[] ByteToTrainingScale = BuildByteTable();

    private readonly PixelStore<byte>? bytePixels;
    private readonly PixelStore<float>? floatPixels;
    private readonly int[]? storeIndex; // view index → store index; null = identity
    private readonly int[] labels;
    private readonly string[] classNames;

    public string Name { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int ImageSize => Channels * Height * Width;
    public int Count => labels.Length;

    /// <summary>Number of classes of the whole label space (not only those present in this view).</summary>
    public int ClassCount { get; }

    public PixelFormat Format => bytePixels is not null ? PixelFormat.Byte : PixelFormat.Float;
    public IReadOnlyList<string> ClassNames => classNames;
    public ReadOnlySpan<int> Labels => labels;

    private ImageDataset(string name, PixelStore<byte>? bytes, PixelStore<float>? floats, int[]? storeIndex, int[] labels,
        int channels, int height, int width, int classCount, string[] classNames)
    {
        Name = name;
        bytePixels = bytes;
        floatPixels = floats;
        this.storeIndex = storeIndex;
        this.labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        this.classNames = classNames;
    }

    internal static ImageDataset FromStore(string name, PixelStore<byte>? bytes, PixelStore<float>? floats, int[] labels,
        int channels, int height, int width, int classCount, IReadOnlyList<string>? classNames)
    {
        int storeCount = bytes?.Count ?? floats!.Count;
        if (storeCount != labels.Length)
            throw new ArgumentException($"{storeCount} images but {labels.Length} labels");
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image shape {channels}×{height}×{width} must be positive");
        int imageSize = bytes?.ImageSize ?? floats!.ImageSize;
        if (imageSize != channels * height * width)
            throw new ArgumentException($"stored image size {imageSize} ≠ {channels}×{height}×{width}");
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "must be positive");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"label {labels[i]} of image {i} is outside [0, {classCount})");
        }
        string[] names = ResolveClassNames(classNames, classCount);
        return new ImageDataset(name, bytes, floats, null, labels, channels, height, width, classCount, names);
    }

    /// <summary>Wraps byte pixels (N·C·H·W values 0..255). The array is copied.</summary>
    public static ImageDataset FromBytes(string name, ReadOnlySpan<byte> pixels, ReadOnlySpan<int> labels,
        int channels, int height, int width, int classCount, IReadOnlyList<string>? classNames = null) =>
        FromStore(name, CopyPixels(pixels, labels.Length, channels, height, width), null, labels.ToArray(), channels, height, width, classCount, classNames);

    /// <summary>Wraps float pixels on the training scale [-1, 1] (N·C·H·W values). The array is copied.</summary>
    public static ImageDataset FromFloats(string name, ReadOnlySpan<float> pixels, ReadOnlySpan<int> labels,
        int channels, int height, int width, int classCount, IReadOnlyList<string>? classNames = null) =>
        FromStore(name, null, CopyPixels(pixels, labels.Length, channels, height, width), labels.ToArray(), channels, height, width, classCount, classNames);

    /// <summary>Copies <paramref name="count"/> images of C×H×W pixels into a pixel store, after checking the pixel count.</summary>
    private static PixelStore<T> CopyPixels<T>(ReadOnlySpan<T> pixels, int count, int channels, int height, int width) where T : unmanaged
    {
        int imageSize = channels * height * width;
        if (pixels.Length != (long)count * imageSize)
            throw new ArgumentException($"{pixels.Length} pixel values do not hold {count} images of {channels}×{height}×{width}");
        var builder = new PixelStoreBuilder<T>(imageSize, count);
        for (int i = 0; i < count; i++) builder.Append(pixels.Slice(i * imageSize, imageSize));
        return builder.Build();
    }

    public int Label(int index) => labels[index];

    /// <summary>The stored bytes of one image (only for <see cref="PixelFormat.Byte"/>).</summary>
    public ReadOnlySpan<byte> ImageBytes(int index)
    {
        if (bytePixels is null) throw new InvalidOperationException($"{Name} stores float pixels; use CopyImage");
        return bytePixels.Image(StoreIndex(index));
    }

    /// <summary>The stored floats of one image (only for <see cref="PixelFormat.Float"/>).</summary>
    public ReadOnlySpan<float> ImageFloats(int index)
    {
        if (floatPixels is null) throw new InvalidOperationException($"{Name} stores byte pixels; use CopyImage or ImageBytes");
        return floatPixels.Image(StoreIndex(index));
    }

    /// <summary>Writes image <paramref name="index"/> as floats in [-1, 1] (C·H·W values), optionally mirrored left–right.</summary>
    public void CopyImage(int index, Span<float> destination, bool flipHorizontal = false)
    {
        if (destination.Length < ImageSize)
            throw new ArgumentException($"destination holds {destination.Length} values, image needs {ImageSize}", nameof(destination));
        int rows = Channels * Height;
        int w = Width;
        if (bytePixels is not null)
        {
            ReadOnlySpan<byte> source = bytePixels.Image(StoreIndex(index));
            float[] table = ByteToTrainingScale;
            if (!flipHorizontal)
            {
                for (int i = 0; i < source.Length; i++) destination[i] = table[source[i]];
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    int o = r * w;
                    for (int x = 0; x < w; x++) destination[o + x] = table[source[o + w - 1 - x]];
                }
            }
        }
        else
        {
            ReadOnlySpan<float> source = floatPixels!.Image(StoreIndex(index));
            if (!flipHorizontal)
            {
                source.CopyTo(destination);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    int o = r * w;
                    for (int x = 0; x < w; x++) destination[o + x] = source[o + w - 1 - x];
                }
            }
        }
    }

    /// <summary>All images as one N·C·H·W float array in [-1, 1].</summary>
    public float[] ToFloatArray()
    {
        var result = new float[(long)Count * ImageSize];
        for (int i = 0; i < Count; i++) CopyImage(i, result.AsSpan(i * ImageSize, ImageSize));
        return result;
    }

    /// <summary>Image count for every class id 0..ClassCount−1.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (int label in labels) counts[label]++;
        return counts;
    }

    /// <summary>A view holding only images whose label is in <paramref name="classIds"/> (order kept; labels stay global ids).</summary>
    public ImageDataset WithClasses(IEnumerable<int> classIds, string? name = null)
    {
        var wanted = new bool[ClassCount];
        var idList = new List<int>();
        foreach (int id in classIds)
        {
            if ((uint)id >= (uint)ClassCount)
                throw new ArgumentOutOfRangeException(nameof(classIds), id, $"{Name} has classes 0..{ClassCount - 1}");
            wanted[id] = true;
            idList.Add(id);
        }
        var selected = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (wanted[labels[i]]) selected.Add(i);
        }
        return Subset(selected.ToArray(), name ?? $"{Name}[classes {string.Join(',', idList)}]");
    }

    /// <summary>A view of the given image indices (in that order; repeats allowed).</summary>
    public ImageDataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var newStoreIndex = new int[indices.Length];
        var newLabels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), index, $"0 ≤ index < {Count}");
            newStoreIndex[i] = StoreIndex(index);
            newLabels[i] = labels[index];
        }
        return new ImageDataset(name ?? Name, bytePixels, floatPixels, newStoreIndex, newLabels,
            Channels, Height, Width, ClassCount, classNames);
    }

    /// <summary>Splits every class: its last <paramref name="heldOutPerClass"/> images (in data set order) go to held-out.</summary>
    public DatasetSplits SplitLastPerClass(int heldOutPerClass)
    {
        if (heldOutPerClass < 0) throw new ArgumentOutOfRangeException(nameof(heldOutPerClass), heldOutPerClass, "must be ≥ 0");
        return SplitLastPerClass(Enumerable.Repeat(heldOutPerClass, ClassCount).ToArray());
    }

    /// <summary>Splits every class: round(fraction · class size) of its last images go to held-out.</summary>
    public DatasetSplits SplitLastFractionPerClass(double heldOutFraction)
    {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "must be in [0, 1)");
        return SplitLastPerClass(CountPerClass().Select(n => (int)Math.Round(n * heldOutFraction, MidpointRounding.AwayFromZero)).ToArray());
    }

    /// <summary>Splits every class c: its last <c>heldOutCounts[c]</c> images (in data set order) go to held-out;
    /// both splits keep data set order. Deterministic, independent of any seed.</summary>
    public DatasetSplits SplitLastPerClass(int[] heldOutCounts)
    {
        if (heldOutCounts.Length != ClassCount) throw new ArgumentException($"{heldOutCounts.Length} counts for {ClassCount} classes");
        int[] classSize = CountPerClass();
        var seen = new int[ClassCount];
        var train = new List<int>();
        var heldOut = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            int rank = seen[label]++;
            int held = Math.Clamp(heldOutCounts[label], 0, classSize[label]);
            if (rank >= classSize[label] - held) heldOut.Add(i);
            else train.Add(i);
        }
        return new DatasetSplits(Subset(train.ToArray(), Name + "/train"), Subset(heldOut.ToArray(), Name + "/held-out"));
    }

    /// <summary>A copy with every image surrounded by <paramref name="border"/> pixels of value 0 (byte) / −1 (float),
    /// e.g. 28×28 MNIST → 32×32 with border 2 (the authors' <c>transforms.Pad(2)</c>).</summary>
    public ImageDataset Pad(int border, string? name = null)
    {
        if (border < 0) throw new ArgumentOutOfRangeException(nameof(border), border, "must be ≥ 0");
        int h = Height + 2 * border, w = Width + 2 * border;
        var builder = new ImageDatasetBuilder(name ?? Name, Format, Channels, h, w, ClassCount, Count);
        for (int i = 0; i < Count; i++)
        {
            if (Format == PixelFormat.Byte)
            {
                Span<byte> target = builder.AppendByteSlot(labels[i]);
                target.Clear();
                ReadOnlySpan<byte> source = ImageBytes(i);
                for (int c = 0; c < Channels; c++)
                    for (int y = 0; y < Height; y++)
                        source.Slice((c * Height + y) * Width, Width).CopyTo(target.Slice((c * h + y + border) * w + border, Width));
            }
            else
            {
                Span<float> target = builder.AppendFloatSlot(labels[i]);
                target.Fill(-1f);
                ReadOnlySpan<float> source = ImageFloats(i);
                for (int c = 0; c < Channels; c++)
                    for (int y = 0; y < Height; y++)
                        source.Slice((c * Height + y) * Width, Width).CopyTo(target.Slice((c * h + y + border) * w + border, Width));
            }
        }
        return builder.Build(classNames);
    }

    private int StoreIndex(int index)
    {
        if ((uint)index >= (uint)labels.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"0 ≤ index < {labels.Length}");
        return storeIndex is null ? index : storeIndex[index];
    }

    private static string[] ResolveClassNames(IReadOnlyList<string>? names, int classCount)
    {
        if (names is null) return Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (names.Count != classCount) throw new ArgumentException($"{names.Count} class names for {classCount} classes");
        return names.ToArray();
    }

    private static float[] BuildByteTable()
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = v / 127.5f - 1f;
        return table;
    }
}
