using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Cli.Commands.Bench;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda.Benchmarks;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>
/// `ntr bench kernels`: the custom CUDA kernels timed with CUDA events on the paper's shapes; `ntr bench train`: full
/// training steps per continual method; `ntr bench export-batches` / `loss-track`: the loss-tracking comparison with
/// the PyTorch reference (tools/reference). JSON to benchmarks/results.
/// </summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var command = new Command("bench", "benchmarks");
        var kernels = new Command("kernels", "time each custom CUDA kernel on realistic shapes; rates as GB/s or TFLOP/s and as a fraction of the device's peak");
        var device = new Option<string>("--device") { Description = "cuda or cuda:N", DefaultValueFactory = _ => "cuda" };
        var output = new Option<string>("--output") { Description = "folder for the JSON results", DefaultValueFactory = _ => Path.Combine("benchmarks", "results") };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per kernel (median reported)", DefaultValueFactory = _ => 20 };
        kernels.Add(device);
        kernels.Add(output);
        kernels.Add(repeats);
        kernels.SetAction(parse => RunKernels(parse.GetValue(device)!, parse.GetValue(output)!, parse.GetValue(repeats), Environment.GetCommandLineArgs()));
        command.Add(kernels);
        command.Add(TrainBenchmarkCommand.Build());
        command.Add(CpuVsPyTorchCommand.Build());
        command.Add(ExportBatchesCommand.Build());
        command.Add(LossTrackCommand.Build());
        return command;
    }

    private static int RunKernels(string deviceText, string outputDir, int repeats, string[] commandLine)
    {
        UsageException.RequireAtLeast("--repeats", repeats, 1);
        var gpu = CheckCommand.OpenGpu(deviceText);
        var peaks = DevicePeaks.For(gpu.Info.Name);
        Console.WriteLine($"{gpu.Info.Name}, driver CUDA {gpu.Info.DriverCudaVersion}; datasheet peaks ({peaks.Label}): {peaks.BandwidthGBs} GB/s, TF32 {peaks.Tf32Tflops} TFLOP/s, BF16 {peaks.Bf16Tflops} TFLOP/s, FP32 {peaks.Fp32Tflops} TFLOP/s");
        Console.WriteLine($"{"kernel",-36} {"shape",-22} {"ms",9} {"GB/s",9} {"%BW",6} {"TFLOP/s",8} {"%peak",6}");
        var results = new List<KernelBenchmarkResult>();
        foreach (var r in new KernelBenchmarkSuite(gpu, warmup: 3, repeats: Math.Max(1, repeats)).Run())
        {
            results.Add(r);
            var bwShare = r.Bytes > 0 ? 100 * r.GigabytesPerSecond / peaks.BandwidthGBs : double.NaN;
            var flopPeak = r.Name.Contains("TF32", StringComparison.Ordinal) ? peaks.Tf32Tflops : r.Name.Contains("BF16", StringComparison.Ordinal) ? peaks.Bf16Tflops : peaks.Fp32Tflops;
            var flopShare = r.Flops > 0 ? 100 * r.TeraflopsPerSecond / flopPeak : double.NaN;
            Console.WriteLine($"{r.Name,-36} {r.Shape,-22} {r.Milliseconds,9:F4} {r.GigabytesPerSecond,9:F0} {bwShare,6:F1} {(r.Flops > 0 ? r.TeraflopsPerSecond.ToString("F2", CultureInfo.InvariantCulture) : "-"),8} {flopShare,6:F1}");
        }
        Directory.CreateDirectory(outputDir);
        var now = DateTime.UtcNow;
        var slug = new string(gpu.Info.Name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        var path = Path.Combine(outputDir, $"kernels-{slug}-{now:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, KernelBenchmarkFile.From(gpu, peaks, now, commandLine, repeats, results).ToJson());
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
