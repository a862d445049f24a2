using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Benchmarks;

/// <summary>
/// Runs the CPU kernel benchmarks with BenchmarkDotNet and writes benchmarks/results/cpu-kernels-HOST-DATE.json:
/// machine, date, command, each benchmark's mean time, GFLOP/s or GB/s, and its ratio to OpenBLAS sgemm in the same
/// run; then the float32 GEMM on the models' shapes with the engine's AVX-512 kernel, OpenBLAS Haswell and OpenBLAS
/// SkylakeX kernels (where the CPU has AVX-512F), each shape's GFLOP/s and the ratios between them.
/// Usage: dotnet run -c Release --project benchmarks/NativeTrustRegion.Benchmarks [-- --quick] [-- --gemm]
/// (--gemm: only the GEMM shapes, written to cpu-gemm-HOST-DATE.json).
/// </summary>
public static class Program
{
    /// <summary>The jobs of the GEMM shape benchmarks: id → environment of the benchmark process.</summary>
    private static readonly (string Id, (string Name, string Value)[] Environment)[] GemmJobs =
    [
        ("avx512-engine", [("NTR_BLAS", "")]),
        ("openblas-Haswell", [("NTR_BLAS", "openblas"), ("NTR_OPENBLAS_CORETYPE", "Haswell")]),
        ("openblas-SkylakeX", [("NTR_BLAS", "openblas"), ("NTR_OPENBLAS_CORETYPE", "SkylakeX")]),
    ];

    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var gemmOnly = args.Contains("--gemm");
        var job = quick ? Job.ShortRun : Job.Default.WithWarmupCount(3).WithIterationCount(15);
        Summary? kernels = null;
        if (!gemmOnly)
        {
            var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
            kernels = BenchmarkRunner.Run<CpuKernelBenchmarks>(config);
        }
        Summary? shapes = null;
        if (Gemm.Avx512KernelSupported)
        {
            var config = ManualConfig.CreateMinimumViable().WithOptions(ConfigOptions.DisableOptimizationsValidator);
            foreach (var (id, environment) in GemmJobs)
            {
                config.AddJob(job.WithEnvironmentVariables(environment.Select(e => new EnvironmentVariable(e.Name, e.Value)).ToArray()).WithId(id));
            }
            shapes = BenchmarkRunner.Run<GemmShapeBenchmarks>(config);
        }
        else
        {
            Console.WriteLine("this CPU has no AVX-512F: the engine's AVX-512 GEMM and OpenBLAS's SkylakeX kernels cannot run here, so the GEMM shapes are skipped");
        }
        var command = "dotnet run -c Release --project benchmarks/NativeTrustRegion.Benchmarks" + (quick || gemmOnly ? " --" : "") + (quick ? " --quick" : "") + (gemmOnly ? " --gemm" : "");
        var path = WriteResults(kernels, shapes, command, gemmOnly ? "cpu-gemm" : "cpu-kernels");
        Console.WriteLine($"results written to {path}");
        return kernels?.HasCriticalValidationErrors == true || shapes?.HasCriticalValidationErrors == true ? 1 : 0;
    }

    private static string WriteResults(Summary? kernels, Summary? shapes, string command, string prefix)
    {
        var rows = new List<Dictionary<string, object>>();
        double? reference = null;
        foreach (var report in kernels?.Reports ?? [])
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
            ["gemm_implementation"] = Gemm.Description,
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["command"] = command,
            ["reference"] = "OpenBLAS cblas_sgemm 512x512x512 on one thread, same run",
            ["results"] = rows,
            ["gemm_shapes"] = GemmShapeRows(shapes),
        };
        var root = FindRoot();
        var dir = Path.Combine(root, "benchmarks", "results");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{prefix}-{Environment.MachineName}-{DateTime.UtcNow:yyyyMMdd}.json");
        var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        File.WriteAllText(file, json);
        return file;
    }

    /// <summary>One row per shape: GFLOP/s (from the median time) of each job and the engine's kernel relative to each OpenBLAS job.</summary>
    private static List<Dictionary<string, object>> GemmShapeRows(Summary? shapes)
    {
        var rows = new List<Dictionary<string, object>>();
        if (shapes is null)
        {
            return rows;
        }
        var gflops = new Dictionary<(string Shape, string Job), double>();
        foreach (var report in shapes.Reports)
        {
            var shape = (string)report.BenchmarkCase.Parameters["Shape"];
            // the median: these calls take microseconds, so one descheduling on a shared machine skews a mean
            var medianNs = report.ResultStatistics?.Median ?? double.NaN;
            gflops[(shape, report.BenchmarkCase.Job.Id)] = GemmShapeBenchmarks.Flops(shape) / medianNs;
        }
        foreach (var (shape, (ta, tb, m, n, k)) in GemmShapeBenchmarks.Shapes)
        {
            var row = new Dictionary<string, object> { ["shape"] = shape, ["trans_a"] = ta, ["trans_b"] = tb, ["m"] = m, ["n"] = n, ["k"] = k };
            foreach (var (id, _) in GemmJobs)
            {
                row[$"gflops_{id}"] = gflops.GetValueOrDefault((shape, id), double.NaN);
            }
            var ours = (double)row["gflops_avx512-engine"];
            row["ratio_avx512_to_openblas_haswell"] = ours / (double)row["gflops_openblas-Haswell"];
            row["ratio_avx512_to_openblas_skylakex"] = ours / (double)row["gflops_openblas-SkylakeX"];
            rows.Add(row);
        }
        return rows;
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
