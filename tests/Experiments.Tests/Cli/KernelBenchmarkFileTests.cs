using System.Text.Json;
using NativeTrustRegion.Cli.Commands.Bench;

namespace NativeTrustRegion.Experiments.Tests.Cli;

/// <summary>`ntr bench kernels` writes its file through System.Text.Json with the names the hand-written writer used.</summary>
public sealed class KernelBenchmarkFileTests
{
    [Fact]
    public void KernelReportKeepsItsFieldNamesAndValues()
    {
        var file = new KernelBenchmarkFile("NVIDIA H100 80GB HBM3", "sm_90", "12.4", "2026-01-02T03:04:05.0000000Z",
            "ntr bench kernels --repeats 3", "H100 SXM", 3350, 495, 67, true, 3, ["adam_update: embedded PTX"],
            [new KernelBenchmarkFile.KernelEntry("adam_update", "[1048576]", 0.125, 16_777_216, 0, 134.217728, 0)]);
        using var doc = JsonDocument.Parse(file.ToJson());
        var root = doc.RootElement;
        Assert.Equal(
            ["device", "architecture", "driverCudaVersion", "date", "command", "peakTable", "peakBandwidthGBs", "peakTf32Tflops",
             "peakFp32Tflops", "tf32", "repeats", "kernelSources", "results"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("tf32").GetBoolean());
        Assert.Equal(3350, root.GetProperty("peakBandwidthGBs").GetDouble());
        Assert.Equal("adam_update: embedded PTX", root.GetProperty("kernelSources")[0].GetString());
        var r = root.GetProperty("results")[0];
        Assert.Equal(["kernel", "shape", "medianMs", "bytes", "flops", "gbPerSecond", "tflopPerSecond"], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(16_777_216, r.GetProperty("bytes").GetDouble());
        Assert.Equal(134.217728, r.GetProperty("gbPerSecond").GetDouble());
    }
}
