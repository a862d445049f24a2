using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;
using NativeTrustRegion.Models.Image;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The inputs of a loss-tracking comparison between this engine and the PyTorch reference (tools/reference), written
/// once so both sides train on identical numbers: <c>initial.safetensors</c> (the preset's seeded weights, named as the
/// model's parameters), <c>batches.safetensors</c> (per step: x₀, condition, noise ε, timesteps, and the noising
/// coefficients √ᾱ_t and √(1−ᾱ_t) in float32, so neither side recomputes the schedule), and <c>manifest.json</c>
/// (preset, shapes, optimizer, loss, and the parameter list).
/// </summary>
public static class LossTrackingBatches
{
    public const string Format = "ntr-loss-tracking/1";
    public const string WeightsFile = "initial.safetensors";
    public const string BatchesFile = "batches.safetensors";
    public const string ManifestFile = "manifest.json";
    public const double LearningRate = 2e-4;

    /// <summary>What the condition of a model is: class ids (one float per sample), observation histories, or none.</summary>
    public static string ConditionKind(IDenoiser model) => model.ConditionShape switch
    {
        null => "none",
        { Count: 0 } => "class-ids",
        _ => "observations",
    };

    public static void Export(string preset, int batch, int steps, ulong seed, string folder, string command)
    {
        if (batch < 1 || steps < 1)
        {
            throw new ArgumentException($"batch {batch} and steps {steps} must both be at least 1");
        }
        Directory.CreateDirectory(folder);
        var store = new ParameterStore();
        var model = ModelPresets.Create(preset, store);
        store.Allocate(seed);
        var metadata = new Dictionary<string, string> { ["format"] = Format, ["preset"] = preset, ["seed"] = seed.ToString(CultureInfo.InvariantCulture) };
        ParameterCheckpoint.Save(Path.Combine(folder, WeightsFile), store, metadata: metadata);

        var schedule = NoiseSchedule.Linear();
        var generator = Generator.Derive(seed, 0x1055E5);
        var sampleShape = new[] { steps, batch }.Concat(model.SampleShape).ToArray();
        var items = new List<SafeTensorsFile.Item>
        {
            new("x0", Tensor.Rand(sampleShape, generator, -1, 1)),
            new("noise", Tensor.Randn(sampleShape, generator)),
        };
        var kind = ConditionKind(model);
        if (kind == "class-ids")
        {
            var classes = ((ImageUNet)model).Config.Classes;
            var ids = new float[steps * batch];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = generator.NextInt(classes);
            }
            items.Add(new("condition", Tensor.FromArray(ids, steps, batch)));
        }
        else if (kind == "observations")
        {
            items.Add(new("condition", Tensor.Randn(new[] { steps, batch }.Concat(model.ConditionShape!).ToArray(), generator)));
        }
        var timesteps = new float[steps * batch];
        var signal = new float[steps * batch];
        var noiseScale = new float[steps * batch];
        for (var i = 0; i < timesteps.Length; i++)
        {
            var t = generator.NextInt(schedule.TrainSteps);
            var alphaBar = schedule.AlphaBar(t);
            timesteps[i] = t;
            // the same float32 arithmetic as NoiseSchedule.AddNoise
            signal[i] = MathF.Sqrt(alphaBar);
            noiseScale[i] = MathF.Sqrt(1f - alphaBar);
        }
        items.Add(new("timesteps", Tensor.FromArray(timesteps, steps, batch)));
        items.Add(new("signal", Tensor.FromArray(signal, steps, batch)));
        items.Add(new("noise_scale", Tensor.FromArray(noiseScale, steps, batch)));
        SafeTensorsFile.Write(Path.Combine(folder, BatchesFile), items, metadata);

        var manifest = new LossTrackingManifest(
            Format, preset, model.Name, batch, steps, seed, command, kind,
            model.SampleShape.ToArray(), (model.ConditionShape ?? []).ToArray(), LearningRate,
            new AdamSettings(Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0),
            "mean over batch and elements of (model(signal*x0 + noise_scale*noise, timesteps, condition) - noise)^2; " +
            "zero the gradients, backward, one Adam step; record the loss before the step",
            "off: both sides train in evaluation mode (the only difference it makes is dropout, whose masks differ between frameworks)",
            new LossTrackingFiles(WeightsFile, BatchesFile),
            items.ToDictionary(item => item.Name, item => item.Tensor.Shape.ToArray()),
            store.Count, ParameterShape.ListOf(store));
        AtomicFile.WriteAllText(Path.Combine(folder, ManifestFile), BenchmarkJsonContext.Serialize(manifest));
    }
}
