using System.CommandLine;
using NativeTrustRegion.Experiments.Benchmarks;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary><c>ntr bench export-batches</c>: initial weights, per-step batches and a manifest for the loss-tracking comparison with PyTorch.</summary>
internal static class ExportBatchesCommand
{
    public static Command Build()
    {
        var command = new Command("export-batches",
            "write a preset's seeded initial weights, deterministic training batches (x0, condition, noise, timesteps, noising coefficients) and a manifest, for `bench loss-track` and tools/reference/loss_track.py");
        var preset = new Option<string>("--preset") { Description = $"model preset: {string.Join(", ", ModelPresetNames.All)}", Required = true };
        var batch = new Option<int?>("--batch") { Description = "samples per step (default: the workload's, 128 for image-paper, 256 for policy-paper)" };
        var steps = new Option<int>("--steps") { Description = "training steps to write batches for", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the weights and of every batch", DefaultValueFactory = _ => 7 };
        var output = new Option<string>("--out") { Description = "folder to write (initial.safetensors, batches.safetensors, manifest.json)", Required = true };
        foreach (var option in new Option[] { preset, batch, steps, seed, output })
        {
            command.Add(option);
        }
        command.SetAction(parse =>
        {
            var name = parse.GetValue(preset)!;
            if (!ModelPresetNames.All.Contains(name))
            {
                Console.Error.WriteLine($"error: unknown preset '{name}'; known presets: {string.Join(", ", ModelPresetNames.All)}");
                return 2;
            }
            var folder = parse.GetValue(output)!;
            var size = parse.GetValue(batch) ?? PaperWorkload.For(name).Batch;
            try
            {
                LossTrackingBatches.Export(name, size, parse.GetValue(steps), parse.GetValue(seed), folder, CommandLineText.Of(parse));
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            Console.WriteLine($"wrote {Path.Combine(folder, LossTrackingBatches.WeightsFile)}, {LossTrackingBatches.BatchesFile} and {LossTrackingBatches.ManifestFile} ({name}, batch {size}, {parse.GetValue(steps)} steps)");
            return 0;
        });
        return command;
    }
}
