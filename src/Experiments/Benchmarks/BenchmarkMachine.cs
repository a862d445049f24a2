using System.Runtime.InteropServices;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>What a benchmark ran on: the device (GPU name, driver's CUDA version, compute capability, memory) and the host (with its load when the run started).</summary>
public sealed record BenchmarkMachine(
    string Device,
    string DeviceName,
    string? DriverCudaVersion,
    string? ComputeCapability,
    long? DeviceMemoryBytes,
    string Cpu,
    int Cores,
    string OperatingSystem,
    string Runtime,
    string? LoadAverage)
{
    /// <summary>"cpu", or the GPU's name in lower case with dashes ("nvidia-h200"), for file names.</summary>
    public string Slug => Device == "cpu"
        ? "cpu"
        : new string(DeviceName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    public static BenchmarkMachine Describe(IBackend backend)
    {
        var cpu = CpuModel();
        var os = RuntimeInformation.OSDescription;
        var runtime = RuntimeInformation.FrameworkDescription;
        if (backend is CudaBackend gpu)
        {
            var info = gpu.Info;
            return new BenchmarkMachine(backend.Device.ToString(), info.Name, info.DriverCudaVersion, $"{info.ComputeMajor}.{info.ComputeMinor}",
                info.TotalMemoryBytes, cpu, Environment.ProcessorCount, os, runtime, LoadAverageNow());
        }
        return new BenchmarkMachine("cpu", cpu, null, null, null, cpu, Environment.ProcessorCount, os, runtime, LoadAverageNow());
    }

    /// <summary>The host's 1, 5 and 15-minute load averages (Linux), which say whether other work shared the CPU; null elsewhere.</summary>
    public static string? LoadAverageNow()
    {
        try
        {
            if (File.Exists("/proc/loadavg"))
            {
                return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
