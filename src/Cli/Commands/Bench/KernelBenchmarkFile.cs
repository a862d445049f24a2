using System.Globalization;
using System.Text.Json;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Benchmarks;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// The JSON layout of a <c>kernels-*.json</c> report from <c>ntr bench kernels</c> (camelCase through
/// <see cref="KernelBenchmarkJsonContext"/>): the device, the datasheet peaks it is compared with (0 where unknown),
/// where each kernel was loaded from, the timer and the two references measured in the same run, and one entry per
/// timed pass (the references first). The fields of the GPU-only version are all still there, with the same names
/// (architecture and driverCudaVersion are empty on the CPU); timer, warmup, the reference rates and each entry's
/// op, pass, calls and ratioToReference were added when the benchmark moved onto the op-case table.
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
    IReadOnlyList<KernelBenchmarkFile.KernelEntry> Results,
    string Timer,
    int Warmup,
    double ReferenceCopyGbPerSecond,
    double ReferenceGemmTflopPerSecond)
{
    /// <param name="Kernel">What was timed: the case's name and pass, or the reference's name.</param>
    /// <param name="Op">The case's "Folder/Kernel" in src/Engine/Ops, or "reference".</param>
    /// <param name="Pass">"reference", "forward", "forward+backward" or "call".</param>
    /// <param name="RatioToReference">TFLOP/s over the reference GEMM's for passes with flops, GB/s over the reference copy's otherwise.</param>
    public sealed record KernelEntry(string Kernel, string Shape, double MedianMs, double Bytes, double Flops, double GbPerSecond, double TflopPerSecond,
        string Op, string Pass, int Calls, double RatioToReference);

    public static KernelBenchmarkFile From(KernelBenchmarkReport report, DevicePeaks peaks, DateTime date, string[] commandLine) =>
        new(report.Device.Name, report.Device.Architecture ?? "", report.Device.DriverVersion ?? "", date.ToString("O", CultureInfo.InvariantCulture),
            string.Join(' ', commandLine), peaks.Label, KnownOrZero(peaks.BandwidthGBs), KnownOrZero(peaks.Tf32Tflops),
            KnownOrZero(peaks.Fp32Tflops), report.Precision == MatmulPrecision.Tf32, report.Options.Repeats, report.KernelSources,
            new[] { report.Copy, report.Gemm }.Concat(report.Cases).Select(r => Entry(r, report)).ToArray(),
            report.Timer, report.Options.Warmup, report.Copy.GigabytesPerSecond, report.Gemm.TeraflopsPerSecond);

    /// <summary>The file's text: indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, KernelBenchmarkJsonContext.Default.KernelBenchmarkFile);

    private static KernelEntry Entry(KernelBenchmarkResult r, KernelBenchmarkReport report) =>
        new(r.Name, r.Shape, r.Milliseconds, r.Bytes, r.Flops, r.GigabytesPerSecond, r.TeraflopsPerSecond, r.Op, PassName(r.Pass), r.Calls,
            r.RatioToReference(report.Copy, report.Gemm));

    private static string PassName(KernelBenchmarkPass pass) => pass switch
    {
        KernelBenchmarkPass.Reference => "reference",
        KernelBenchmarkPass.Forward => "forward",
        KernelBenchmarkPass.ForwardBackward => "forward+backward",
        KernelBenchmarkPass.Call => "call",
        _ => throw new ArgumentOutOfRangeException(nameof(pass), pass, null),
    };

    private static double KnownOrZero(double peak) => double.IsNaN(peak) ? 0 : peak;
}
