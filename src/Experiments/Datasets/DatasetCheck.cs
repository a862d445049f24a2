using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Experiments.Datasets;

/// <summary>
/// `ntr data check`: a data set loaded from the local cache (nothing downloaded) with what the check prints of it:
/// image size, class names, images per class in each split, its default task stream, the feature classifier's
/// held-out accuracy and (with Inception-v3 weights) an Inception FID between the splits.
/// </summary>
public sealed class DatasetCheck
{
    private readonly DatasetSplits _splits;
    private readonly ClassSplitStream _stream;

    private DatasetCheck(string name, DatasetSplits splits)
    {
        _splits = splits;
        _stream = DatasetCatalog.DefaultTaskStream(name, splits.Train.ClassCount);
        TrainPerClass = splits.Train.CountPerClass();
        HeldOutPerClass = splits.HeldOut.CountPerClass();
    }

    /// <summary>Loads <paramref name="name"/> from the cache under <paramref name="dataRoot"/> (null: the default root); downloads nothing.</summary>
    /// <param name="padTo32">MNIST/Fashion-MNIST: pad 28×28 to 32×32 (as training does).</param>
    public static DatasetCheck Load(string name, string? dataRoot, bool padTo32, Action<string> log) =>
        new(name, DatasetCatalog.Load(name, new DatasetLoadOptions { DataRoot = dataRoot, PadTo32 = padTo32, AllowDownload = false, Log = log }));

    public string Name => _splits.Name;
    public int Channels => _splits.Train.Channels;
    public int Height => _splits.Train.Height;
    public int Width => _splits.Train.Width;
    public int ClassCount => _splits.Train.ClassCount;
    public IReadOnlyList<string> ClassNames => _splits.Train.ClassNames;
    public int TrainCount => _splits.Train.Count;
    public int HeldOutCount => _splits.HeldOut.Count;
    public int[] TrainPerClass { get; }
    public int[] HeldOutPerClass { get; }

    /// <summary>The data set's default task stream: its name and each task's index and class ids.</summary>
    public string StreamName => _stream.Name;

    public IReadOnlyList<(int Index, IReadOnlyList<int> ClassIds)> Tasks => _stream.Tasks.Select(t => (t.Index, t.ClassIds)).ToList();

    /// <summary>The index of the task that holds class <paramref name="classId"/>, or -1 when no task does.</summary>
    public int TaskOf(int classId) => _stream.Tasks.FirstOrDefault(t => t.ClassIds.Contains(classId))?.Index ?? -1;

    /// <summary>The FID feature classifier of the data set (trained on first use, then cached) and its held-out accuracy.</summary>
    public (string Classifier, double Accuracy) ClassifierAccuracy(Action<string> log)
    {
        var classifier = FeatureClassifierTrainer.LoadOrTrain(_splits, DataDirectory.Resolve(), log: log);
        return (classifier.Name, FeatureEvaluator.ClassifierAccuracy(classifier, _splits.HeldOut));
    }

    /// <summary>The Inception-v3 network of <paramref name="weightsPath"/> on <paramref name="device"/>, ready to compare the splits.</summary>
    public InceptionFidCheck OpenInception(string weightsPath, Device device) => new(weightsPath, device, _splits);
}
