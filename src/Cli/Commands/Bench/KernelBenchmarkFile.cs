using System.Globalization;
using System.Text.Json;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Backends.Cuda.Benchmarks;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// The JSON layout of a <c>kernels-*.json</c> report from <c>ntr bench kernels</c> (camelCase through
/// <see cref="KernelBenchmarkJsonContext"/>): the GPU, the datasheet peaks it is compared with (0 where unknown), where
/// each kernel was loaded from, and one entry per timed kernel.
/// </summary>
public sealed record KernelBenchmarkFile(
    string Device,
    string Architecture,
    string DriverCudaVersion,
    string Date,
    string Command,
    string PeakTable,
    double PeakBandwidthGBs,
    double PeakTf32Tflops,
    double PeakFp32Tflops,
    bool Tf32,
    int Repeats,
    IReadOnlyList<string> KernelSources,
    IReadOnlyList<KernelBenchmarkFile.KernelEntry> Results)
{
    public sealed record KernelEntry(string Kernel, string Shape, double MedianMs, double Bytes, double Flops, double GbPerSecond, double TflopPerSecond);

    public static KernelBenchmarkFile From(CudaBackend gpu, DevicePeaks peaks, DateTime date, string[] commandLine, int repeats, IEnumerable<KernelBenchmarkResult> results) =>
        new(gpu.Info.Name, gpu.Info.Architecture, gpu.Info.DriverCudaVersion, date.ToString("O", CultureInfo.InvariantCulture),
            string.Join(' ', commandLine), peaks.Label, KnownOrZero(peaks.BandwidthGBs), KnownOrZero(peaks.Tf32Tflops),
            KnownOrZero(peaks.Fp32Tflops), gpu.Precision == MatmulPrecision.Tf32, repeats, gpu.KernelLoadLog.ToArray(),
            results.Select(r => new KernelEntry(r.Name, r.Shape, r.Milliseconds, r.Bytes, r.Flops, r.GigabytesPerSecond, r.TeraflopsPerSecond)).ToArray());

    /// <summary>The file's text: indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, KernelBenchmarkJsonContext.Default.KernelBenchmarkFile);

    private static double KnownOrZero(double peak) => double.IsNaN(peak) ? 0 : peak;
}
