using System.Diagnostics;
using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// Trains a preset from the exported initial weights on the exported batches (<see cref="LossTrackingBatches"/>) and
/// records each step's loss, exactly as tools/reference/loss_track.py does in PyTorch: evaluation mode (no dropout),
/// ε-prediction MSE through <see cref="DenoisingLoss"/>, zero the gradients, backward, one Adam step (2e-4).
/// </summary>
public static class LossTracking
{
    public static LossTrackingResult Run(string folder, Device device, TrainingPrecision precision, int? maxSteps = null)
    {
        if (TrainingPrecisions.Unsupported(precision, device) is { } reason)
        {
            throw new ArgumentException(reason);
        }
        var manifestPath = Path.Combine(folder, LossTrackingBatches.ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"{manifestPath} not found. Fix: write the folder first with `ntr bench export-batches --out {folder}`", manifestPath);
        }
        var manifest = LossTrackingManifest.Read(manifestPath);
        var preset = manifest.Preset;
        var batch = manifest.Batch;
        var steps = Math.Min(manifest.Steps, maxSteps ?? int.MaxValue);
        var learningRate = manifest.LearningRate;

        var backend = BackendRegistry.For(device);
        using var mixed = precision.Enter(backend);
        var store = new ParameterStore(DType.F32, device);
        var model = ModelPresets.Create(preset, store);
        store.Allocate(0);
        ParameterCheckpoint.Load(Path.Combine(folder, LossTrackingBatches.WeightsFile), store);
        model.Training = false;
        var adam = new Adam(store, learningRate);
        var schedule = NoiseSchedule.Linear();

        var file = SafeTensorsFile.Read(Path.Combine(folder, LossTrackingBatches.BatchesFile));
        var x0 = file.ReadFloats("x0");
        var noise = file.ReadFloats("noise");
        var timesteps = file.ReadFloats("timesteps");
        var signal = file.ReadFloats("signal");
        var condition = file.Contains("condition") ? file.ReadFloats("condition") : null;
        var sampleShape = new[] { batch }.Concat(model.SampleShape).ToArray();
        var conditionShape = model.ConditionShape is null ? null : new[] { batch }.Concat(model.ConditionShape).ToArray();
        var sampleSize = (int)Shape.Numel(sampleShape);
        var conditionSize = conditionShape is null ? 0 : (int)Shape.Numel(conditionShape);

        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            using var scope = TensorScope.Begin();
            var t = new int[batch];
            for (var i = 0; i < batch; i++)
            {
                t[i] = (int)timesteps[s * batch + i];
                if (MathF.Sqrt(schedule.AlphaBar(t[i])) != signal[s * batch + i])
                {
                    throw new InvalidDataException($"step {s}, sample {i}: the stored noising coefficient differs from this engine's schedule at t = {t[i]}; re-export the batches");
                }
            }
            var x = Tensor.FromSpan((ReadOnlySpan<float>)x0.AsSpan(s * sampleSize, sampleSize), sampleShape, DType.F32, device);
            var eps = Tensor.FromSpan((ReadOnlySpan<float>)noise.AsSpan(s * sampleSize, sampleSize), sampleShape, DType.F32, device);
            var c = condition is null ? null : Tensor.FromSpan((ReadOnlySpan<float>)condition.AsSpan(s * conditionSize, conditionSize), conditionShape!, DType.F32, device);
            var loss = DenoisingLoss.Compute(model, schedule, x, c, new NoiseDraw(t, eps));
            store.ZeroGrad();
            GradTape.Current.Backward(loss);
            losses.Add(loss.Item());
            adam.Step();
        }
        backend.Synchronize();
        return new LossTrackingResult(preset, BenchmarkMachine.Describe(backend), precision, losses, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Writes the losses as JSON (the same layout tools/reference/loss_track.py writes) and returns the path.</summary>
    public static string Write(LossTrackingResult r, string path, string command)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        var file = new LossTrackingFile("ntr", r.Preset, r.Machine.Device, r.Machine.DeviceName, r.Precision.Name(),
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), command, r.Seconds, r.Losses);
        AtomicFile.WriteAllText(path, BenchmarkJsonContext.Serialize(file));
        return path;
    }
}
