using System.CommandLine;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Experiments.Benchmarks;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// <c>ntr bench train</c>: steady-state steps/s of one full training step (forward, backward, optimizer) of a model
/// preset for each continual method, with amortised per-task costs, peak memory and DDIM sampling throughput; JSON
/// to benchmarks/results (see <see cref="TrainingBenchmark"/>).
/// </summary>
internal static class TrainBenchmarkCommand
{
    public static Command Build()
    {
        var command = new Command("train", "time full training steps (forward, backward, optimizer) of a model preset under each continual method; JSON to benchmarks/results");
        var preset = new Option<string>("--preset") { Description = $"model preset: {string.Join(", ", ModelPresetNames.All)}", Required = true };
        var device = new Option<string>("--device") { Description = "cuda, cuda:N or cpu", DefaultValueFactory = _ => "cuda" };
        var batch = new Option<int?>("--batch") { Description = "current-task samples per step (default: the workload's, 128 for image-paper, 256 for policy-paper)" };
        var steps = new Option<int>("--steps") { Description = "timed steps per method (the median is reported)", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps per method before timing (at least)", DefaultValueFactory = _ => 5 };
        var warmupSeconds = new Option<double>("--warmup-seconds")
        {
            Description = "untimed seconds per method before timing (at least; the JIT needs seconds to reach steady state)",
            DefaultValueFactory = _ => 3,
        };
        var methods = new Option<string>("--methods")
        {
            Description = $"comma-separated method ids (known: {string.Join(", ", MethodNames.All)})",
            DefaultValueFactory = _ => string.Join(",", MethodNames.PaperMethods),
        };
        var precision = new Option<string?>("--precision") { Description = "fp32, tf32 (GPU) or bf16 (mixed precision: bf16 activations through the whole model with float32 accumulation and statistics; float32 weights, gradients, optimizer, loss and reductions); default tf32 on a GPU, fp32 on the CPU" };
        var output = new Option<string>("--out") { Description = "folder for the JSON result", DefaultValueFactory = _ => Path.Combine("benchmarks", "results") };
        var replayPool = new Option<int?>("--replay-pool") { Description = "replay samples generated for the timing (default: the workload's pool per task, at most 1,300; image-paper's is 65,000, 1,300 per class); the per-sample time is scaled to the workload's pool" };
        var fisherSamples = new Option<int>("--fisher-samples") { Description = "samples of the one timed Fisher estimate (scaled to the workload's count)", DefaultValueFactory = _ => 16 };
        var skipDdim = new Option<bool>("--skip-ddim") { Description = "do not time DDIM sampling when no method under test generates a replay pool" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the weights and the synthetic data", DefaultValueFactory = _ => 1 };
        var profile = new Option<bool>("--profile") { Description = "print each method's wall time per op kind over its timed steps (forward attributed, backward exact; also NTR_PROFILE=1)" };
        var metaGradient = new Option<string>("--meta-gradient")
        {
            Description = "FTML / VR-MCL meta-gradient orders to time: both (default; the paper's Table 6 it/s FO and 2nd), first-order or second-order",
            DefaultValueFactory = _ => "both",
        };
        var cudaGraph = new Option<string>("--cuda-graph")
        {
            Description = "on: on a CUDA device also time each method's step captured in a CUDA graph and replayed (eager vs graph, same state); off: eager only",
            DefaultValueFactory = _ => "on",
        };
        cudaGraph.AcceptOnlyFromAmong("on", "off");
        var lossReadEvery = new Option<int>("--loss-read-every") { Description = "steps between two host reads of the captured step's losses (the only host wait)", DefaultValueFactory = _ => 10 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads of the engine (default: NTR_THREADS or the processor count)" };
        foreach (var option in new Option[] { preset, device, batch, steps, warmup, warmupSeconds, methods, precision, output, replayPool, fisherSamples, skipDdim, seed, profile, cudaGraph, lossReadEvery, threads, metaGradient })
        {
            command.Add(option);
        }
        command.SetAction(parse =>
        {
            var presetName = parse.GetValue(preset)!;
            ModelPresetNames.Validate(presetName);
            var dev = DeviceOpening.Open(parse.GetValue(device)!);
            TrainingBenchmarkSettings settings;
            try
            {
                var workload = PaperWorkload.For(presetName);
                settings = new TrainingBenchmarkSettings
                {
                    Preset = presetName,
                    Device = dev,
                    Batch = parse.GetValue(batch) ?? workload.Batch,
                    TimedSteps = parse.GetValue(steps),
                    WarmupSteps = parse.GetValue(warmup),
                    WarmupSeconds = parse.GetValue(warmupSeconds),
                    Methods = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    MetaGradients = ConfigOverrides.ParseMetaGradients(parse.GetValue(metaGradient)!),
                    Precision = parse.GetValue(precision) is { } p ? TrainingPrecisions.Parse(p) : TrainingPrecisions.DefaultFor(dev),
                    Workload = workload,
                    ReplayPoolGenerated = parse.GetValue(replayPool),
                    FisherSamplesTimed = parse.GetValue(fisherSamples),
                    AlwaysTimeSampling = !parse.GetValue(skipDdim),
                    Seed = parse.GetValue(seed),
                    Profile = parse.GetValue(profile),
                    CudaGraph = parse.GetValue(cudaGraph) == "on",
                    LossReadEvery = parse.GetValue(lossReadEvery),
                    Command = CommandLineText.Of(parse),
                };
                settings.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            if (parse.GetValue(threads) is { } t)
            {
                if (t < 1)
                {
                    Console.Error.WriteLine($"--threads {t}: use at least 1");
                    return 2;
                }
                using var limit = Engine.BackendRegistry.CpuBackend.LimitThreads(t);
                return Run(settings, parse.GetValue(output)!);
            }
            return Run(settings, parse.GetValue(output)!);
        });
        return command;
    }

    private static int Run(TrainingBenchmarkSettings s, string outputDir)
    {
        Console.WriteLine($"{s.Preset} on {s.Device}, batch {s.Batch}, {s.Precision.Name()}, warm-up ≥ {s.WarmupSteps} steps and ≥ {s.WarmupSeconds} s, then {s.TimedSteps} timed steps per method");
        Console.WriteLine($"per-task costs spread over the workload of {s.Workload.Source}: {s.Workload.Tasks} tasks × {s.Workload.StepsPerTask:N0} steps");
        TrainingBenchmarkResult result;
        try
        {
            // the JSON is rewritten after every method, so a run cut short by a time limit keeps what it measured
            result = new TrainingBenchmark(s, Console.Out).Run(partial => TrainingBenchmarkReport.Write(partial, outputDir));
        }
        catch (Exception e) when (e is TensorOpException or InvalidOperationException or IOException or ArgumentException or CudaException or CudaLibraryNotFoundException)
        {
            Console.Error.WriteLine($"bench train failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        var m = result.Machine;
        Console.WriteLine();
        Console.WriteLine($"{result.ModelName}: {result.Parameters:N0} parameters; {m.DeviceName}{(m.DriverCudaVersion is null ? "" : $", driver CUDA {m.DriverCudaVersion}")}; timing: {result.TimingMethod}");
        Console.WriteLine($"{"method",-20} {"median ms",10} {"steps/s",9} {"samples/s",10} {"+replay ms",10} {"+fisher ms",10} {"eff. steps/s",12} {"peak pool MiB",13} {"device MiB",10}");
        foreach (var t in result.Methods)
        {
            var used = t.DeviceUsedBytes is { } b ? (b / 1048576.0).ToString("F0") : "-";
            Console.WriteLine($"{t.Label,-20} {t.MedianStepMilliseconds,10:F2} {t.StepsPerSecond,9:F2} {s.Batch * t.StepsPerSecond,10:F1} {t.AmortisedReplayMilliseconds,10:F2} " +
                $"{t.AmortisedFisherMilliseconds,10:F2} {t.EffectiveStepsPerSecond,12:F2} {t.PeakPoolBytes / 1048576.0,13:F1} {used,10}");
        }
        // the paper's Table 6: it/s of the meta-learning methods with the first-order and the second-order meta-gradient
        foreach (var row in MetaGradientSpeeds.Of(result.Methods))
        {
            Console.WriteLine($"{row.Method}: {row.FirstOrderStepsPerSecond:F2} it/s (FO), {row.SecondOrderStepsPerSecond:F2} it/s (2nd): second-order is {row.Slowdown:F1}x slower");
        }
        foreach (var t in result.Methods)
        {
            if (t.Graph is { } g)
            {
                Console.WriteLine(g.MedianStepMilliseconds is { } gm
                    ? $"{t.Method,-14} CUDA graph {(g.Captured ? "captured" : "not captured")}: {gm,9:F2} ms/step vs eager {t.MedianStepMilliseconds:F2} ms/step ({t.MedianStepMilliseconds / gm:F2}x)"
                    : $"{t.Method,-14} CUDA graph: eager only ({g.NotCapturedBecause})");
            }
        }
        if (result.Ddim is { } d)
        {
            Console.WriteLine($"DDIM: {d.Samples} samples, {d.DdimSteps} steps at batch {d.GenerationBatch}: {d.SamplesPerSecond:F1} samples/s");
        }
        var path = TrainingBenchmarkReport.Write(result, outputDir);
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
