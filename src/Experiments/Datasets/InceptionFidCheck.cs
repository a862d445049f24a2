using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Experiments.Datasets;

/// <summary>
/// Inception-v3 weights loaded and checked, and the FID between evenly spaced training and held-out images of a data
/// set: a check that the network runs and separates nothing strange (small sets inflate FID; not a benchmark number).
/// </summary>
public sealed class InceptionFidCheck
{
    private readonly DatasetSplits _splits;
    private readonly InceptionV3FeatureExtractor _extractor;

    internal InceptionFidCheck(string weightsPath, Device device, DatasetSplits splits)
    {
        var weights = InceptionV3WeightsFile.Open(weightsPath);
        _splits = splits;
        _extractor = new InceptionV3FeatureExtractor(InceptionV3Network.Load(weights, device), splits.Train.Channels, splits.Train.Height, splits.Train.Width);
        Layout = weights.Layout;
        FcClasses = weights.FcClasses;
        Device = device;
    }

    /// <summary>The feature extractor's name.</summary>
    public string Name => _extractor.Name;

    /// <summary>The weights file's layout (which exporter wrote it).</summary>
    public string Layout { get; }

    /// <summary>Classes of the file's fc layer (0: none).</summary>
    public int FcClasses { get; }

    public Device Device { get; }

    /// <summary>
    /// The FID between <c>n</c> evenly spaced training and <c>n</c> held-out images, n = <paramref name="images"/> (at
    /// least 2, at most the smaller split); Fid is null when the features are not finite (a damaged or foreign weights file).
    /// </summary>
    public (int Images, double? Fid) Compute(int images)
    {
        int n = Math.Min(Math.Max(images, 2), Math.Min(_splits.Train.Count, _splits.HeldOut.Count));
        ImageDataset Spread(ImageDataset d) => d.Subset(Enumerable.Range(0, n).Select(i => (int)((long)i * d.Count / n)).ToArray());
        var train = FeatureEvaluator.Statistics(_extractor, Spread(_splits.Train));
        var heldOut = FeatureEvaluator.Statistics(_extractor, Spread(_splits.HeldOut));
        if (!train.Mean.All(double.IsFinite) || !heldOut.Mean.All(double.IsFinite))
        {
            return (n, null);
        }
        return (n, FrechetDistance.Compute(train, heldOut));
    }
}
