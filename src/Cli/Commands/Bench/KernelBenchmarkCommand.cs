using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Benchmarks;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// `ntr bench kernels`: runs the engine's kernel benchmark (<see cref="KernelBenchmarkSuite"/>: the benchmark cases of
/// the op-case table, forward and forward+backward, against a copy and a GEMM timed in the same run) on one device,
/// prints one line per pass and writes <c>kernels-&lt;device&gt;-&lt;date&gt;.json</c>.
/// </summary>
public static class KernelBenchmarkCommand
{
    public static Command Build()
    {
        var command = new Command("kernels", "time the benchmark cases of the op-case table (forward, forward+backward) on one device, against a copy and a GEMM timed in the same run; rates as GB/s or TFLOP/s");
        var device = new Option<string>("--device") { Description = "cuda, cuda:N, cuda-emulated or cpu", DefaultValueFactory = _ => "cuda" };
        var output = new Option<string>("--output") { Description = "folder for the JSON results", DefaultValueFactory = _ => Path.Combine("benchmarks", "results") };
        var repeats = new Option<int>("--repeats") { Description = "timed calls per pass at most (median reported)", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed calls per pass at most", DefaultValueFactory = _ => 3 };
        var seconds = new Option<double>("--seconds-per-pass") { Description = "a pass stops warming up and timing after this many seconds (after at least one call)", DefaultValueFactory = _ => 2 };
        var filter = new Option<string?>("--filter") { Description = "run only cases whose name contains this text" };
        var quick = new Option<bool>("--quick") { Description = "smoke run, not a measurement: no warm-up, one timed call, small references (with --filter on the emulated device)" };
        var list = new Option<bool>("--list") { Description = "print the benchmark cases and exit" };
        foreach (var o in new Option[] { device, output, repeats, warmup, seconds, filter, quick, list })
        {
            command.Add(o);
        }
        command.SetAction(parse =>
        {
            if (parse.GetValue(list))
            {
                return List();
            }
            UsageException.RequireAtLeast("--repeats", parse.GetValue(repeats), 1);
            UsageException.RequireAtLeast("--warmup", parse.GetValue(warmup), 0);
            var budget = parse.GetValue(seconds);
            if (!(budget > 0))
            {
                throw new UsageException($"--seconds-per-pass must be positive, not {budget.ToString(CultureInfo.InvariantCulture)}");
            }
            var options = parse.GetValue(quick)
                ? KernelBenchmarkOptions.Quick(parse.GetValue(filter))
                : new KernelBenchmarkOptions { Warmup = parse.GetValue(warmup), Repeats = parse.GetValue(repeats), SecondsPerPass = budget, Filter = parse.GetValue(filter) };
            return Run(parse.GetValue(device)!, parse.GetValue(output)!, options, Environment.GetCommandLineArgs());
        });
        return command;
    }

    private static int List()
    {
        foreach (var c in KernelBenchmarkSuite.Cases)
        {
            Console.WriteLine($"{c.Name,-72} {c.Kernel}");
        }
        Console.WriteLine($"{KernelBenchmarkSuite.Cases.Count} benchmark cases");
        return 0;
    }

    private static int Run(string deviceText, string outputDir, KernelBenchmarkOptions options, string[] commandLine)
    {
        var device = DeviceOpening.Open(deviceText);
        var backend = BackendRegistry.For(device);
        var suite = new KernelBenchmarkSuite(device, options);
        if (suite.Selected.Count == 0)
        {
            throw new UsageException($"--filter '{options.Filter}' matches none of the {KernelBenchmarkSuite.Cases.Count} benchmark cases; `ntr bench kernels --list` prints their names");
        }
        if (File.Exists(outputDir))
        {
            throw new UsageException($"--output {outputDir} is a file; give a folder");
        }
        var peaks = DevicePeaks.For(backend.Description.Name);
        var flopPeak = backend.Precision == MatmulPrecision.Tf32 ? peaks.Tf32Tflops : peaks.Fp32Tflops;
        KernelBenchmarkResult? copy = null, gemm = null;
        var header = false;
        var report = suite.Run(r =>
        {
            if (r.Pass == KernelBenchmarkPass.Reference)
            {
                if (r.Flops > 0)
                {
                    gemm = r;
                }
                else
                {
                    copy = r;
                }
                Console.WriteLine($"reference: {r.Name,-30} {r.Shape,-24} {r.Milliseconds,9:F4} ms {r.GigabytesPerSecond,8:F1} GB/s{(r.Flops > 0 ? $" {r.TeraflopsPerSecond,8:F3} TFLOP/s" : "")}");
                return;
            }
            if (!header)
            {
                Console.WriteLine($"{"case",-80} {"ms",10} {"GB/s",8} {"TFLOP/s",8} {"×ref",6} {"%BW",6} {"%peak",6} {"n",3}");
                header = true;
            }
            var ratio = r.RatioToReference(copy!, gemm!);
            var bwShare = 100 * r.GigabytesPerSecond / peaks.BandwidthGBs;
            var flopShare = r.Flops > 0 ? 100 * r.TeraflopsPerSecond / flopPeak : double.NaN;
            Console.WriteLine($"{r.Name,-80} {r.Milliseconds,10:F4} {r.GigabytesPerSecond,8:F1} {Rate(r.Flops > 0 ? r.TeraflopsPerSecond : double.NaN, "F3"),8} {Rate(ratio, "F2"),6} {Rate(bwShare, "F1"),6} {Rate(flopShare, "F1"),6} {r.Calls,3}");
        });
        var d = report.Device;
        Console.WriteLine($"{d.Name}{(d.DriverVersion is null ? "" : $", driver CUDA {d.DriverVersion}")}; timer {report.Timer}; matmul precision {report.Precision}; " +
                          $"×ref = rate / the same run's reference (GEMM for cases with flops, copy otherwise); datasheet peaks ({peaks.Label}): " +
                          $"{Rate(peaks.BandwidthGBs, "F0")} GB/s, TF32 {Rate(peaks.Tf32Tflops, "F0")}, FP32 {Rate(peaks.Fp32Tflops, "F0")} TFLOP/s");
        foreach (var line in report.KernelSources)
        {
            Console.WriteLine($"kernels: {line}");
        }
        Directory.CreateDirectory(outputDir);
        var now = DateTime.UtcNow;
        var path = Path.Combine(outputDir, $"kernels-{Slug(d.Name)}-{now:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, KernelBenchmarkFile.From(report, peaks, now, commandLine).ToJson());
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    private static string Rate(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Slug(string name)
    {
        var dashed = new string(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        return string.Join('-', dashed.Split('-', StringSplitOptions.RemoveEmptyEntries));
    }
}
