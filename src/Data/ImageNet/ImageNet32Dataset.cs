using System.Globalization;

namespace NativeTrustRegion.Data;

/// <summary>
/// Downsampled ImageNet 32×32 (Chrabaszcz et al. 2017) in its official npz batch format:
/// <c>train_data_batch_1.npz … train_data_batch_10.npz</c> and <c>val_data.npz</c>, each holding
/// <c>data</c> (N×3072 uint8; per image 1024 R, then 1024 G, then 1024 B values, rows top to bottom — i.e. already C×H×W),
/// <c>labels</c> (N integers, 1-based class ids 1..1000) and optionally <c>mean</c> (ignored).
/// Loads the first <see cref="ImageNet32Options.ClassLimit"/> classes (ImageNet-500: labels 1..500 → 0..499);
/// the held-out split is <c>val_data.npz</c> (50 images per class). Converted data are cached
/// (<see cref="ImageCacheFile"/>); a cache is written only after every source file was read and checked.
/// </summary>
public static class ImageNet32Dataset
{
    public const string DatasetName = "imagenet32";
    public const int Side = 32;
    public const int Channels = 3;
    public const int ValuesPerImage = Channels * Side * Side;
    public const int OfficialClassCount = 1000;
    public const int TrainBatchCount = 10;
    public const string ValidationFileName = "val_data.npz";

    public static string TrainFileName(int batch) => $"train_data_batch_{batch}.npz";

    public static string SourceDirectory(ImageNet32Options options) =>
        options.SourceDirectory is not null ? Path.GetFullPath(options.SourceDirectory) : Path.Combine(DataDirectory.Resolve(options.DataRoot), DatasetName);

    public static DatasetSplits Load(ImageNet32Options? options = null)
    {
        options ??= new ImageNet32Options();
        if (options.ClassLimit is < 1 or > OfficialClassCount)
            throw new ArgumentOutOfRangeException(nameof(options), options.ClassLimit, $"ClassLimit must be in 1..{OfficialClassCount}");
        string directory = SourceDirectory(options);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"ImageNet 32×32 folder {directory} does not exist. Put train_data_batch_1..10.npz and val_data.npz there (see src/Data/README.md) or set {DataDirectory.EnvironmentVariable}.");

        var trainFiles = new List<string>();
        var missing = new List<string>();
        for (int b = 1; b <= TrainBatchCount; b++)
        {
            string file = Path.Combine(directory, TrainFileName(b));
            if (File.Exists(file)) trainFiles.Add(file);
            else missing.Add(TrainFileName(b));
        }
        string validationFile = Path.Combine(directory, ValidationFileName);
        if (!File.Exists(validationFile))
            throw new DatasetFormatException(validationFile, "not found; the held-out split of ImageNet 32×32 needs val_data.npz from the official download");
        if (trainFiles.Count == 0 || (missing.Count > 0 && options.RequireAllTrainBatches))
            throw new DatasetFormatException(directory,
                $"missing training batches: {string.Join(", ", missing)}. Put all ten train_data_batch_N.npz files there (or allow partial data).");
        if (missing.Count > 0) options.Log?.Invoke($"warning: using {trainFiles.Count} of 10 training batches (missing {string.Join(", ", missing)})");

        // Both splits are read and checked before any cache file is written.
        ConvertedSplit train = LoadSplit(options, "train", trainFiles);
        ConvertedSplit heldOut = LoadSplit(options, "held-out", [validationFile]);
        foreach (ConvertedSplit split in new[] { train, heldOut }.Where(s => options.UseCache && !s.FromCache))
        {
            ImageCacheFile.Write(split.CachePath, split.Dataset, split.Fingerprint);
            options.Log?.Invoke($"wrote {split.CachePath} ({split.Dataset.Count} images)");
        }
        return new DatasetSplits(train.Dataset, heldOut.Dataset);
    }

    private sealed record ConvertedSplit(ImageDataset Dataset, bool FromCache, string CachePath, string Fingerprint);

    private static ConvertedSplit LoadSplit(ImageNet32Options options, string split, IReadOnlyList<string> files)
    {
        string name = $"{DatasetName}-{options.ClassLimit}/{split}";
        string fingerprint = $"imagenet32;first {options.ClassLimit} classes;" +
            string.Join(";", files.Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}"));
        string cache = Path.Combine(DataDirectory.Resolve(options.DataRoot), "cache", $"{DatasetName}-first{options.ClassLimit}-{split}.ntrimg");
        if (options.UseCache)
        {
            if (ImageCacheFile.TryRead(cache, fingerprint, out ImageDataset? cached, out string problem)) return new ConvertedSplit(cached!, true, cache, fingerprint);
            if (File.Exists(cache)) options.Log?.Invoke($"cache {cache} is unusable ({problem}); rebuilding it");
        }
        var builder = new ImageDatasetBuilder(name, PixelFormat.Byte, Channels, Side, Side, options.ClassLimit);
        foreach (string file in files)
        {
            options.Log?.Invoke($"reading {file}");
            ReadBatchFile(file, options.ClassLimit, builder);
        }
        return new ConvertedSplit(builder.Build(ClassNames(options.ClassLimit)), false, cache, fingerprint);
    }

    /// <summary>Class names: the official 1-based label, e.g. "label 1" for class 0.</summary>
    public static IReadOnlyList<string> ClassNames(int classLimit) =>
        Enumerable.Range(1, classLimit).Select(l => "label " + l.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Reads one official npz batch, appending images whose label is in 1..<paramref name="classLimit"/>
    /// (as label−1) to <paramref name="builder"/>. Checks shapes, types and label range first; returns the number kept.
    /// </summary>
    public static int ReadBatchFile(string path, int classLimit, ImageDatasetBuilder builder)
    {
        using NpzArchive npz = NpzArchive.Open(path);
        return ReadBatch(npz, classLimit, builder);
    }

    public static int ReadBatch(NpzArchive npz, int classLimit, ImageDatasetBuilder builder)
    {
        string path = npz.Path;
        if (!npz.Contains("data") || !npz.Contains("labels"))
            throw new DatasetFormatException(path,
                $"is not an ImageNet 32×32 batch: it needs arrays 'data' and 'labels', found {(npz.ArrayNames.Count == 0 ? "none" : string.Join(", ", npz.ArrayNames))}");

        NpyArray labelArray = npz.Read("labels");
        bool labelsAreVector = labelArray.Shape.Count == 1 || (labelArray.Shape.Count == 2 && (labelArray.Shape[0] == 1 || labelArray.Shape[1] == 1));
        if (!labelsAreVector)
            throw new DatasetFormatException(path, $"'labels' has shape {labelArray.Header.ShapeText}, expected a vector of N labels");
        if (labelArray.DataType is NpyDataType.Float32 or NpyDataType.Float64 or NpyDataType.Bool)
            throw new DatasetFormatException(path, $"'labels' has element type {NpyDataTypes.ToDescr(labelArray.DataType)}, expected integers");
        long[] labels = labelArray.ToInt64();

        NpyHeader dataHeader = npz.OpenArray("data", out Stream data, out string source);
        using (data)
        {
            if (dataHeader.DataType != NpyDataType.UInt8)
                throw new DatasetFormatException(source, $"element type {NpyDataTypes.ToDescr(dataHeader.DataType)}, expected uint8 ('|u1')");
            if (dataHeader.Shape.Length != 2 || dataHeader.Shape[1] != ValuesPerImage)
                throw new DatasetFormatException(source, $"shape {dataHeader.ShapeText}, expected (N, {ValuesPerImage}): one row of 3×32×32 channel-planar bytes per image");
            if (dataHeader.FortranOrder)
                throw new DatasetFormatException(source, "is stored in Fortran (column-major) order; expected C order as in the official files");
            long n = dataHeader.Shape[0];
            if (labels.LongLength != n)
                throw new DatasetFormatException(path, $"'labels' has {labels.LongLength} entries but 'data' has {n} rows; they must match");
            for (long i = 0; i < labels.LongLength; i++)
            {
                if (labels[i] is < 1 or > OfficialClassCount)
                    throw new DatasetFormatException(path, $"label {labels[i]} at row {i} is outside 1..{OfficialClassCount} (the official labels are 1-based)");
            }

            var skip = new byte[ValuesPerImage];
            int kept = 0;
            for (long i = 0; i < n; i++)
            {
                long label = labels[i];
                Span<byte> target = label <= classLimit ? builder.AppendByteSlot((int)label - 1) : skip;
                NpyHeader.ReadExactly(data, target, source, $"row {i} of {n}");
                if (label <= classLimit) kept++;
            }
            return kept;
        }
    }
}
