using System.CommandLine;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Experiments.Benchmarks;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary><c>ntr bench loss-track</c>: trains on an export-batches folder and records every step's loss (compare with tools/reference/loss_track.py).</summary>
internal static class LossTrackCommand
{
    public static Command Build()
    {
        var command = new Command("loss-track", "train from an export-batches folder's initial weights on its batches (evaluation mode, Adam 2e-4) and write each step's loss as JSON");
        var batches = new Option<string>("--batches") { Description = "folder written by `ntr bench export-batches`", Required = true };
        var device = new Option<string>("--device") { Description = "cuda, cuda:N or cpu", DefaultValueFactory = _ => "cuda" };
        var precision = new Option<string>("--precision") { Description = "fp32 (default: compare like with like), tf32 (GPU) or bf16 (mixed precision)", DefaultValueFactory = _ => "fp32" };
        var steps = new Option<int?>("--steps") { Description = "stop after this many steps (default: every step in the folder)" };
        var output = new Option<string?>("--out") { Description = "JSON file to write (default: <batches>/losses-ntr.json)" };
        foreach (var option in new Option[] { batches, device, precision, steps, output })
        {
            command.Add(option);
        }
        command.SetAction(parse =>
        {
            var dev = DeviceOpening.Open(parse.GetValue(device)!);
            var folder = parse.GetValue(batches)!;
            var path = parse.GetValue(output) ?? Path.Combine(folder, "losses-ntr.json");
            LossTrackingResult result;
            try
            {
                result = LossTracking.Run(folder, dev, TrainingPrecisions.Parse(parse.GetValue(precision)!), parse.GetValue(steps));
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is TensorOpException or InvalidOperationException or CudaException or CudaLibraryNotFoundException)
            {
                Console.Error.WriteLine($"loss-track failed: {e.GetType().Name}: {e.Message}");
                return 1;
            }
            LossTracking.Write(result, path, CommandLineText.Of(parse));
            var losses = result.Losses;
            Console.WriteLine($"{result.Preset} on {result.Machine.DeviceName}, {result.Precision.Name()}: {losses.Count} steps in {result.Seconds:F1} s; " +
                $"loss {losses[0]:G6} → {losses[^1]:G6}");
            Console.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }
}
