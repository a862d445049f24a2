using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Reports.Figures;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Images;

/// <summary>
/// Evaluates an image task: class-conditional DDIM samples (η = 0) with labels cycling through the task's classes,
/// from a fixed seed per task; FID of their features (our trained classifier's, or Inception-v3's when the user supplies
/// its weights; named in the metric) against the task's held-out images; and our trained classifier's accuracy on the
/// samples (does the model draw the class it was asked for).
/// </summary>
public sealed class ImageTaskEvaluator : ITaskEvaluator
{
    private readonly IFeatureExtractor _features;
    private readonly IFeatureExtractor _classifier;
    private readonly IReadOnlyList<int[]> _taskClasses;
    private readonly IReadOnlyList<string> _classNames;
    private readonly FrechetReference[] _references;
    private readonly NoiseSchedule _schedule;
    private readonly EvaluationSettings _settings;
    private readonly ulong _seed;
    private readonly int[] _sampleShape;
    private readonly Dictionary<int, (float[] Images, int[] Labels)> _lastSamples = new();

    /// <param name="features">the FID feature network</param>
    /// <param name="classifier">the data set's classifier for sample accuracy (its logits are the data set's classes); may be <paramref name="features"/> itself</param>
    public ImageTaskEvaluator(IFeatureExtractor features, IFeatureExtractor classifier, IReadOnlyList<int[]> taskClasses, IReadOnlyList<ImageDataset> heldOutPerTask,
        NoiseSchedule schedule, EvaluationSettings settings, ulong seed)
    {
        if (classifier.Channels != features.Channels || classifier.Height != features.Height || classifier.Width != features.Width)
        {
            throw new ArgumentException($"{features.Name} takes {features.Channels}×{features.Height}×{features.Width} images but {classifier.Name} takes {classifier.Channels}×{classifier.Height}×{classifier.Width}");
        }
        _features = features;
        _classifier = classifier;
        _taskClasses = taskClasses;
        _classNames = heldOutPerTask.Count > 0 ? heldOutPerTask[0].ClassNames : [];
        _schedule = schedule;
        _settings = settings;
        _seed = seed;
        _sampleShape = [features.Channels, features.Height, features.Width];
        _references = heldOutPerTask.Select(d => new FrechetReference(FeatureEvaluator.Statistics(features, d))).ToArray();
        Metric = new MetricDefinition($"FID ({features.Name.Split(' ')[0]})", MetricDirection.LowerIsBetter,
            $"Fréchet distance on features of {features.Name}, {settings.SamplesPerTask} DDIM-{settings.DdimSteps} samples per task against the task's held-out images.");
        SecondaryMetric = new MetricDefinition("sample accuracy", MetricDirection.HigherIsBetter,
            $"fraction of generated samples that {classifier.Name} assigns to the class they were generated for");
    }

    public MetricDefinition Metric { get; }

    public MetricDefinition? SecondaryMetric { get; }

    public TaskEvaluation Evaluate(IDenoiser model, int task) => Evaluate(model, task, _settings.SamplesPerTask, keepSamples: true);

    public double Probe(IDenoiser model, int task, int samples) => Evaluate(model, task, samples, keepSamples: false).Value;

    private TaskEvaluation Evaluate(IDenoiser model, int task, int n, bool keepSamples)
    {
        var classes = _taskClasses[task];
        var labels = Enumerable.Range(0, n).Select(i => classes[i % classes.Length]).ToArray();
        var images = Generate(model, labels, Generator.Derive(_seed, 0xE7A10000UL + (ulong)task));
        if (keepSamples)
        {
            _lastSamples[task] = (images, labels);
        }
        var stats = FeatureEvaluator.Statistics(_features, images, n);
        var fid = _references[task].DistanceTo(stats);
        var accuracy = double.NaN;
        if (_classifier.ClassCount > 0)
        {
            var batch = _classifier.PreferredBatchSize;
            var size = _sampleShape[0] * _sampleShape[1] * _sampleShape[2];
            var features = new float[batch * _classifier.FeatureDimension];
            var logits = new float[batch * _classifier.ClassCount];
            var correct = 0;
            for (var start = 0; start < n; start += batch)
            {
                var m = Math.Min(batch, n - start);
                _classifier.Extract(images.AsSpan(start * size, m * size), m, features, logits);
                for (var i = 0; i < m; i++)
                {
                    var row = logits.AsSpan(i * _classifier.ClassCount, _classifier.ClassCount);
                    var best = 0;
                    for (var c = 1; c < row.Length; c++)
                    {
                        if (row[c] > row[best])
                        {
                            best = c;
                        }
                    }
                    correct += best == labels[start + i] ? 1 : 0;
                }
            }
            accuracy = (double)correct / n;
        }
        return new TaskEvaluation(fid, accuracy);
    }

    private float[] Generate(IDenoiser model, int[] labels, Generator generator)
    {
        var store = model.Parameters;
        var sampler = new DdimSampler(_schedule, _settings.DdimSteps);
        var size = _sampleShape[0] * _sampleShape[1] * _sampleShape[2];
        var result = new float[labels.Length * size];
        const int batch = 256;
        var training = model.Training;
        model.Training = false;
        try
        {
            for (var start = 0; start < labels.Length; start += batch)
            {
                using var scope = TensorScope.Begin();
                using var untracked = GradMode.NoGrad();
                var m = Math.Min(batch, labels.Length - start);
                var cond = Tensor.FromSpan((ReadOnlySpan<float>)labels.Skip(start).Take(m).Select(l => (float)l).ToArray(), [m], store.DType, store.Device);
                var x = sampler.Sample(model, cond, m, generator);
                x.ToFloatArray().CopyTo(result.AsSpan(start * size));
            }
        }
        finally
        {
            model.Training = training;
        }
        return result;
    }

    /// <summary>A PNG grid per evaluation round: one row per class of the seen tasks (labelled with the task and the
    /// class name), up to 10 samples each.</summary>
    public void WriteArtifacts(IDenoiser model, int afterTask, string directory)
    {
        Directory.CreateDirectory(directory);
        var size = _sampleShape[0] * _sampleShape[1] * _sampleShape[2];
        const int columns = 10;
        var rows = new List<float>();
        var labels = new List<string>();
        for (var t = 0; t <= afterTask; t++)
        {
            if (!_lastSamples.TryGetValue(t, out var s))
            {
                continue;
            }
            foreach (var c in _taskClasses[t])
            {
                var picked = Enumerable.Range(0, s.Labels.Length).Where(i => s.Labels[i] == c).Take(columns).ToList();
                for (var k = 0; k < columns; k++)
                {
                    if (k < picked.Count)
                    {
                        rows.AddRange(s.Images.AsSpan(picked[k] * size, size).ToArray());
                    }
                    else
                    {
                        rows.AddRange(Enumerable.Repeat(-1f, size));
                    }
                }
                labels.Add($"T{t + 1}  {(c < _classNames.Count ? _classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
            }
        }
        if (labels.Count > 0)
        {
            var png = LabelledSampleGrid.Encode(rows.ToArray(), labels, columns, _sampleShape[0], _sampleShape[1], _sampleShape[2],
                $"Samples after task {afterTask + 1} (DDIM-{_settings.DdimSteps}, one row per class)");
            AtomicFile.WriteAllBytes(Path.Combine(directory, $"after-task-{afterTask + 1:00}.png"), png);
        }
    }
}
