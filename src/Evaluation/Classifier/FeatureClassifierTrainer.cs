using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Evaluation;

/// <summary>
/// Trains the FID feature classifier once per data set on its real training split and caches it as safetensors with a
/// SHA-256 of the weights and a fingerprint of the data; a cache whose checksum or fingerprint does not match is
/// rebuilt. Reports the held-out accuracy.
/// </summary>
public static class FeatureClassifierTrainer
{
    private const int Version = 1;

    public sealed record Options
    {
        public int Epochs { get; init; } = 4;

        public int BatchSize { get; init; } = 128;

        public double LearningRate { get; init; } = 2e-3;

        public ulong Seed { get; init; } = 7;

        /// <summary>Training images used at most (0 = all): ImageNet-scale sets are subsampled to keep this quick.</summary>
        public int MaxTrainImages { get; init; } = 60_000;
    }

    /// <summary>Loads the cached classifier for these splits, or trains and caches it.</summary>
    /// <summary>Runs of one process that need the same classifier at once: one trains it, the others then read its cache.</summary>
    private static readonly object CacheLock = new();

    public static ClassifierFeatureExtractor LoadOrTrain(DatasetSplits splits, string cacheDirectory, Options? options = null, Action<string>? log = null)
    {
        lock (CacheLock)
        {
            return LoadOrTrainUnlocked(splits, cacheDirectory, options, log);
        }
    }

    private static ClassifierFeatureExtractor LoadOrTrainUnlocked(DatasetSplits splits, string cacheDirectory, Options? options, Action<string>? log)
    {
        options ??= new Options();
        var train = splits.Train;
        var fingerprint = Fingerprint(splits, options);
        var path = Path.Combine(cacheDirectory, "classifiers", $"{SafeName(splits.Name)}-{fingerprint[..16]}.safetensors");
        var network = new ClassifierNetwork(train.Channels, Math.Max(train.ClassCount, 1));
        network.Store.Allocate(options.Seed);
        if (File.Exists(path))
        {
            try
            {
                var file = SafeTensorsFile.Read(path);
                ParameterCheckpoint.LoadParameters(file, network.Store);
                if (file.Metadata.GetValueOrDefault("fingerprint") == fingerprint && file.Metadata.GetValueOrDefault("sha256") == WeightsHash(network.Store))
                {
                    var cachedAccuracy = double.Parse(file.Metadata["heldout_accuracy"], CultureInfo.InvariantCulture);
                    return new ClassifierFeatureExtractor(network, splits.Name, train.Height, train.Width, cachedAccuracy);
                }
                log?.Invoke($"feature classifier cache {path} failed its checksum; retraining");
            }
            catch (IOException e)
            {
                log?.Invoke($"feature classifier cache {path} is unreadable ({e.Message}); retraining");
            }
            network.Store.Initialise(options.Seed);
        }
        log?.Invoke($"training the feature classifier on {train.Name} ({train.Count} images)");
        Train(network, train, options, log);
        var accuracy = FeatureEvaluator.ClassifierAccuracy(new ClassifierFeatureExtractor(network, splits.Name, train.Height, train.Width, double.NaN), splits.HeldOut);
        ParameterCheckpoint.Save(path, network.Store, metadata: new Dictionary<string, string>
        {
            ["fingerprint"] = fingerprint,
            ["sha256"] = WeightsHash(network.Store),
            ["heldout_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture),
            ["dataset"] = splits.Name,
            ["version"] = Version.ToString(CultureInfo.InvariantCulture),
        });
        log?.Invoke($"feature classifier held-out accuracy {accuracy:P2} (cached at {path})");
        return new ClassifierFeatureExtractor(network, splits.Name, train.Height, train.Width, accuracy);
    }

    private static void Train(ClassifierNetwork network, ImageDataset train, Options options, Action<string>? log)
    {
        var store = network.Store;
        var adam = new Adam(store, options.LearningRate);
        var generator = new Generator(options.Seed);
        var count = options.MaxTrainImages > 0 ? Math.Min(train.Count, options.MaxTrainImages) : train.Count;
        var order = Enumerable.Range(0, train.Count).ToArray();
        generator.Shuffle<int>(order);
        var pool = order.Take(count).ToArray();
        var size = train.ImageSize;
        var pixels = new float[options.BatchSize * size];
        var target = new float[options.BatchSize * network.Classes];
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            generator.Shuffle<int>(pool);
            double lossSum = 0;
            var batches = 0;
            for (var start = 0; start + options.BatchSize <= pool.Length; start += options.BatchSize)
            {
                using var scope = TensorScope.Begin();
                Array.Clear(target);
                for (var i = 0; i < options.BatchSize; i++)
                {
                    var idx = pool[start + i];
                    train.CopyImage(idx, pixels.AsSpan(i * size, size));
                    target[i * network.Classes + train.Label(idx)] = 1;
                }
                var x = Tensor.FromSpan((ReadOnlySpan<float>)pixels, [options.BatchSize, train.Channels, train.Height, train.Width], store.DType, store.Device);
                var t = Tensor.FromSpan((ReadOnlySpan<float>)target, [options.BatchSize, network.Classes], store.DType, store.Device);
                store.ZeroGrad();
                var loss = CrossEntropy(network.Forward(x).Logits, t);
                GradTape.Current.Backward(loss);
                adam.Step();
                lossSum += loss.Item();
                batches++;
            }
            log?.Invoke($"  classifier epoch {epoch + 1}/{options.Epochs}: cross-entropy {lossSum / Math.Max(1, batches):F4}");
        }
    }

    /// <summary>Mean cross-entropy of logits against one-hot targets: −mean Σ y·log softmax(z).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor oneHot)
    {
        var logProbabilities = Ops.Log(Ops.Clamp(Ops.Softmax(logits), 1e-12, 1));
        return Ops.Scale(Ops.SumAll(logProbabilities * oneHot), -1.0 / logits.Shape[0]);
    }

    private static string WeightsHash(ParameterStore store) =>
        Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(store.Data.ToFloatArray().AsSpan()))).ToLowerInvariant();

    private static string Fingerprint(DatasetSplits splits, Options options)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(System.Text.Encoding.UTF8.GetBytes(s + "\n"));
        Add($"v{Version} {splits.Train.Name} {splits.Train.Count} {splits.HeldOut.Count} {splits.Train.Channels}x{splits.Train.Height}x{splits.Train.Width} {options}");
        sha.AppendData(MemoryMarshal.AsBytes(splits.Train.Labels));
        var probe = new float[splits.Train.ImageSize];
        foreach (var i in new[] { 0, splits.Train.Count / 2, splits.Train.Count - 1 })
        {
            splits.Train.CopyImage(i, probe);
            sha.AppendData(MemoryMarshal.AsBytes(probe.AsSpan()));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    private static string SafeName(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'));
}
