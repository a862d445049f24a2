using System.Runtime.InteropServices;
using NativeTrustRegion.Engine;

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
        var cpu = BackendRegistry.CpuBackend.Description.Name;
        var os = RuntimeInformation.OSDescription;
        var runtime = RuntimeInformation.FrameworkDescription;
        var device = backend.Description;
        return new BenchmarkMachine(backend.Device.ToString(), device.Name, device.DriverVersion, device.ComputeCapability,
            device.TotalMemoryBytes, cpu, Environment.ProcessorCount, os, runtime, LoadAverageNow());
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

    /// <summary>The processor's model name (the CPU back end's description).</summary>
    public static string CpuModel() => NativeTrustRegion.Engine.BackendRegistry.CpuBackend.Description.Name;
}
