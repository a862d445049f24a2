using System.Globalization;
using System.Text.Json;
using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Reports.Figures;
using NativeTrustRegion.Models.Diffusion;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Diagnostics;

/// <summary>One timestep bucket of the rank-1 diagnosis.</summary>
public sealed record CollinearityBucket(string Timestep, double MeanCosine, double MedianCosine, double MinCosine, double TopEigenvalueShare, double TopEigenvalueSquaredShare);

/// <summary>
/// How rank-1 the empirical Fisher of a trained model is (Wang et al.): for N training samples of a task, per-sample
/// gradients at a fixed timestep t (and at random t), their cosines to the mean gradient, and the share of the Gram
/// matrix G·Gᵀ/N's top eigenvalue (same non-zero spectrum as the Fisher GᵀG/N): λ₁/Σλ (trace share) and λ₁²/Σλ²
/// (Frobenius share, the authors' "rank-1 contribution").
/// </summary>
public static class CollinearityDiagnosis
{
    public static readonly int[] DefaultTimesteps = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999];

    /// <summary>Diffusion timesteps of the models' training schedule (valid timesteps: 0 to this − 1).</summary>
    public static int TrainingTimesteps => NoiseSchedule.Linear().TrainSteps;

    public static IReadOnlyList<CollinearityBucket> Run(RunFolder folder, string checkpoint, int task, int samples, int[] timesteps, IRunProgress progress)
    {
        var config = folder.ReadConfig();
        var setup = ExperimentDomains.For(config).Build(config, progress);
        var store = setup.Model.Parameters;
        progress.Phase($"loading weights from {checkpoint}");
        ParameterCheckpoint.Load(checkpoint, store);
        var ctx = new ContinualContext(setup.Model, setup.Schedule, setup.Stream, config.Hyper, setup.Replay, config.Seed);
        if (task < 0 || task >= setup.Stream.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(task), $"task {task + 1} does not exist (the stream has {setup.Stream.Count} tasks)");
        }
        var batch = setup.Stream[task].Subset(samples, Generator.Derive(config.Seed, 0xD1A6UL));
        var n = batch.Size;
        var buckets = new List<CollinearityBucket>();
        foreach (var t in timesteps.Select(v => (int?)v).Append(null))
        {
            progress.Phase($"per-sample gradients of {n} samples at t = {(t is null ? "random" : t.Value.ToString(CultureInfo.InvariantCulture))}");
            var rows = Tensor.EmptyUnscoped([n, (int)store.Count], store.DType, store.Device);
            PerSampleGradients.ForEach(ctx, batch, Generator.Derive(config.Seed, 0xD1A7UL + (ulong)(t ?? 5000)), (i, g) => rows.Slice(0, i, 1).Reshape(-1).CopyFrom(g), t);
            var (cosines, gram) = GradientCollinearity.Compute(rows);
            var cos = cosines.ToDoubleArray().OrderBy(v => v).ToArray();
            var (share, squaredShare) = GradientCollinearity.TopEigenvalueShare(gram.ToDoubleArray(), n);
            buckets.Add(new CollinearityBucket(t?.ToString(CultureInfo.InvariantCulture) ?? "random", cos.Average(), cos[cos.Length / 2], cos[0], share, squaredShare));
        }
        store.ZeroGrad();
        return buckets;
    }

    public static void Write(string directory, IReadOnlyList<CollinearityBucket> buckets, string title)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "collinearity.json"), JsonSerializer.Serialize(buckets, new JsonSerializerOptions { WriteIndented = true }));
        CollinearityFigure.Build(buckets, title).Write(directory);
    }
}
