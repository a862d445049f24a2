using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Benchmarks;

/// <summary>
/// Runs the CPU kernel benchmarks with BenchmarkDotNet and writes benchmarks/results/cpu-kernels-HOST-DATE.json:
/// machine, date, command, each benchmark's mean time, GFLOP/s or GB/s, and its ratio to OpenBLAS sgemm in the same run.
/// Usage: dotnet run -c Release --project benchmarks/NativeTrustRegion.Benchmarks [-- --quick]
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var job = quick ? Job.ShortRun : Job.Default.WithWarmupCount(3).WithIterationCount(15);
        var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summary = BenchmarkRunner.Run<CpuKernelBenchmarks>(config);
        var path = WriteResults(summary, "dotnet run -c Release --project benchmarks/NativeTrustRegion.Benchmarks" + (quick ? " -- --quick" : ""));
        Console.WriteLine($"results written to {path}");
        return summary.HasCriticalValidationErrors ? 1 : 0;
    }

    private static string WriteResults(Summary summary, string command)
    {
        var rows = new List<Dictionary<string, object>>();
        double? reference = null;
        foreach (var report in summary.Reports)
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var meanNs = report.ResultStatistics?.Mean ?? double.NaN;
            var (flops, bytes) = CpuKernelBenchmarks.Work(name);
            var gflops = flops / meanNs;
            if (name == nameof(CpuKernelBenchmarks.OpenBlasSgemm512))
            {
                reference = gflops;
            }
            rows.Add(new Dictionary<string, object>
            {
                ["benchmark"] = name,
                ["mean_ms"] = meanNs / 1e6,
                ["gflops"] = flops > 0 ? gflops : double.NaN,
                ["gbytes_per_s"] = bytes > 0 ? bytes / meanNs : double.NaN,
            });
        }
        foreach (var row in rows)
        {
            if (row["gflops"] is double g && !double.IsNaN(g) && reference is double r)
            {
                row["ratio_to_openblas_sgemm"] = g / r;
            }
        }
        var result = new Dictionary<string, object>
        {
            ["machine"] = Environment.MachineName,
            ["cpu"] = CpuName(),
            ["cores"] = Environment.ProcessorCount,
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["gemm_implementation"] = Gemm.Implementation,
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["command"] = command,
            ["reference"] = "OpenBLAS cblas_sgemm 512x512x512 on one thread, same run",
            ["results"] = rows,
        };
        var root = FindRoot();
        var dir = Path.Combine(root, "benchmarks", "results");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"cpu-kernels-{Environment.MachineName}-{DateTime.UtcNow:yyyyMMdd}.json");
        var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        File.WriteAllText(file, json);
        return file;
    }

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
