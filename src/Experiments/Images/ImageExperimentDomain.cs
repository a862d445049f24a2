using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Evaluation;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Images;

/// <summary>
/// Task-incremental image generation: a data set split into class-range tasks (embedded glyphs, Split-MNIST,
/// Split-Fashion, ImageNet-500), a class-conditional UNet, FID/sample-accuracy evaluation on our feature classifier
/// (FID on Inception-v3 pool3 features instead when $NTR_INCEPTION_WEIGHTS names pytorch-fid's weights), class-conditional
/// DDIM replay.
/// </summary>
public sealed class ImageExperimentDomain : IExperimentDomain
{
    public ExperimentSetup Build(ExperimentConfig config, IRunProgress progress)
    {
        var device = config.Device;
        var options = new DatasetLoadOptions
        {
            Embedded = new EmbeddedGlyphOptions
            {
                TrainPerClass = config.TrainPerClass > 0 ? config.TrainPerClass : 1000,
                HeldOutPerClass = config.HeldOutPerClass > 0 ? config.HeldOutPerClass : 200,
            },
            Log = progress.Message,
        };
        progress.Phase($"loading data set '{config.Dataset}'");
        var splits = DatasetCatalog.Load(config.Dataset, options);
        progress.Phase("loading or training the FID feature classifier");
        var classifier = FeatureClassifierTrainer.LoadOrTrain(splits, DataDirectory.Resolve(), log: progress.Message);
        IFeatureExtractor fidFeatures = classifier;
        if (InceptionWeightsLocation.FromEnvironment() is { } inceptionWeights)
        {
            progress.Phase($"loading the Inception-v3 FID network from {inceptionWeights}");
            fidFeatures = InceptionV3FeatureExtractor.Load(inceptionWeights, splits.Train.Channels, splits.Train.Height, splits.Train.Width, device);
        }

        var store = new ParameterStore(DType.F32, device);
        var model = ModelPresets.Create(config.ModelPreset, store);
        store.Allocate(config.Seed);
        var expected = new[] { splits.Train.Channels, splits.Train.Height, splits.Train.Width };
        if (!model.SampleShape.SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"model preset '{config.ModelPreset}' generates {TensorOpException.Format(model.SampleShape.ToArray())} samples but data set '{config.Dataset}' has {TensorOpException.Format(expected)} images. " +
                "Fix: choose a model preset for this image size (see `ntr model summary`).");
        }
        var schedule = NoiseSchedule.Linear();
        var tasks = new List<ITaskData>();
        var heldOut = new List<ImageDataset>();
        var probes = new List<TrainingBatch>();
        for (var t = 0; t < config.TaskClasses.Length; t++)
        {
            var classes = config.TaskClasses[t];
            var train = Limit(splits.Train.WithClasses(classes), config.TrainPerClass);
            var held = Limit(splits.HeldOut.WithClasses(classes), config.HeldOutPerClass);
            if (train.Count == 0 || held.Count == 0)
            {
                throw new InvalidOperationException($"task {t + 1} (classes {string.Join(",", classes)}) has no images in '{config.Dataset}'. Fix: check the task classes of the preset.");
            }
            var labels = train.Labels.ToArray().Select(l => (float)l).ToArray();
            var name = $"T{t + 1} ({string.Join(",", classes.Select(c => ClassName(splits.Train, c)))})";
            tasks.Add(new InMemoryTaskData(name, train.ToFloatArray(), expected, labels, [], config.Seed * 1000 + (ulong)t, store.DType, device, classes.Select(c => (float)c).ToArray()));
            heldOut.Add(held);
            probes.Add(ProbeBatch(held, config.Evaluation.ProbeSamplesPerTask, expected, store.DType, device));
        }
        progress.Phase("computing held-out feature statistics");
        var evaluator = new ImageTaskEvaluator(fidFeatures, classifier, config.TaskClasses, heldOut, schedule, config.Evaluation, config.Seed);
        var fidNote = ReferenceEquals(fidFeatures, classifier)
            ? $"FID is computed on features of {classifier.Name}; it is not comparable to Inception FID."
            : $"FID is computed on the 2048-d pool3 features of {fidFeatures.Name}, images resized to 299×299 bilinearly (pytorch-fid's network; " +
              $"set by ${InceptionWeightsLocation.EnvironmentVariable}); sample accuracy uses {classifier.Name}.";
        var replayNote = config.Hyper.ReplayPoolPerClass > 0
            ? $"Replay pool: {config.Hyper.ReplayPoolPerClass:N0} generated samples per class of every finished task."
            : $"Replay pool: {config.Hyper.ReplayPoolPerTask:N0} generated samples per finished task.";
        var notes = $"{fidNote} Model: {model.Name} ({store.Count:N0} parameters). {replayNote}";
        return new ExperimentSetup(model, schedule, new TaskStream(config.Dataset, tasks), evaluator, probes, new ConditionalSampleReplay(), notes);
    }

    private static string ClassName(ImageDataset d, int c) => c < d.ClassNames.Count ? d.ClassNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Keeps at most <paramref name="perClass"/> images of each class (0 = all), in data set order.</summary>
    private static ImageDataset Limit(ImageDataset d, int perClass)
    {
        if (perClass <= 0)
        {
            return d;
        }
        var seen = new Dictionary<int, int>();
        var keep = new List<int>();
        for (var i = 0; i < d.Count; i++)
        {
            var l = d.Label(i);
            seen.TryGetValue(l, out var n);
            if (n < perClass)
            {
                keep.Add(i);
            }
            seen[l] = n + 1;
        }
        return keep.Count == d.Count ? d : d.Subset(keep.ToArray());
    }

    /// <summary>The first images of each class, interleaved, as the fixed probe set of a task.</summary>
    private static TrainingBatch ProbeBatch(ImageDataset held, int count, int[] shape, DType dtype, Device device)
    {
        var byClass = Enumerable.Range(0, held.Count).GroupBy(held.Label).Select(g => g.ToList()).ToList();
        var picked = new List<int>();
        for (var k = 0; picked.Count < Math.Min(count, held.Count); k++)
        {
            foreach (var list in byClass)
            {
                if (k < list.Count && picked.Count < count)
                {
                    picked.Add(list[k]);
                }
            }
        }
        var size = held.ImageSize;
        var pixels = new float[picked.Count * size];
        for (var i = 0; i < picked.Count; i++)
        {
            held.CopyImage(picked[i], pixels.AsSpan(i * size, size));
        }
        var x = Tensor.FromSpan((ReadOnlySpan<float>)pixels, new[] { picked.Count }.Concat(shape).ToArray(), dtype, device);
        var c = Tensor.FromSpan((ReadOnlySpan<float>)picked.Select(i => (float)held.Label(i)).ToArray(), [picked.Count], dtype, device);
        return new TrainingBatch(x, c);
    }
}
