using System.Text.Json;
using NativeTrustRegion.Cli.Commands.Bench;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests.Cli;

/// <summary>
/// `ntr bench kernels` writes its file through System.Text.Json: every name of the GPU-only version kept, in order,
/// then the fields the op-case-table benchmark added; the references come first in the results.
/// </summary>
public sealed class KernelBenchmarkFileTests
{
    [Fact]
    public void KernelReportKeepsItsFieldNamesAndAddsTheReferences()
    {
        var copy = new KernelBenchmarkResult("copy (reference)", "reference", KernelBenchmarkPass.Reference, "[268435456]", 0.5, 2.0 * (1 << 30), 0, 20);
        var gemm = new KernelBenchmarkResult("gemm Tf32 (reference)", "reference", KernelBenchmarkPass.Reference, "[4096, 4096] [4096, 4096]", 0.4, 3.0 * 4096 * 4096 * 4, 2.0 * 4096 * 4096 * 4096, 20);
        var adam = new KernelBenchmarkResult("adam update", "Vector/VectorOps", KernelBenchmarkPass.Call, "", 0.125, 16_777_216, 0, 20);
        var report = new KernelBenchmarkReport(new DeviceDescription("NVIDIA H100 80GB HBM3", "sm_90", "9.0", "12.4", 132, 80L << 30),
            "cuda-events", MatmulPrecision.Tf32, ["adam_update: embedded PTX"], new KernelBenchmarkOptions { Repeats = 3 }, copy, gemm, [adam]);
        var file = KernelBenchmarkFile.From(report, DevicePeaks.For("NVIDIA H100 80GB HBM3"), new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ["ntr", "bench", "kernels", "--repeats", "3"]);

        using var doc = JsonDocument.Parse(file.ToJson());
        var root = doc.RootElement;
        Assert.Equal(
            ["device", "architecture", "driverCudaVersion", "date", "command", "peakTable", "peakBandwidthGBs", "peakTf32Tflops",
             "peakFp32Tflops", "tf32", "repeats", "kernelSources", "results", "timer", "warmup", "referenceCopyGbPerSecond", "referenceGemmTflopPerSecond"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("tf32").GetBoolean());
        Assert.Equal(3, root.GetProperty("repeats").GetInt32());
        Assert.Equal(3350, root.GetProperty("peakBandwidthGBs").GetDouble());
        Assert.Equal("2026-01-02T03:04:05.0000000Z", root.GetProperty("date").GetString());
        Assert.Equal("adam_update: embedded PTX", root.GetProperty("kernelSources")[0].GetString());
        // 2 GiB in 0.5 ms; 137.4 GFLOP in 0.4 ms
        Assert.Equal(2.0 * (1 << 30) / 0.5e-3 / 1e9, root.GetProperty("referenceCopyGbPerSecond").GetDouble(), 9);
        Assert.Equal(2.0 * 4096 * 4096 * 4096 / 0.4e-3 / 1e12, root.GetProperty("referenceGemmTflopPerSecond").GetDouble(), 9);

        var results = root.GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.Equal("copy (reference)", results[0].GetProperty("kernel").GetString());
        Assert.Equal("reference", results[1].GetProperty("pass").GetString());
        var r = results[2];
        Assert.Equal(["kernel", "shape", "medianMs", "bytes", "flops", "gbPerSecond", "tflopPerSecond", "op", "pass", "calls", "ratioToReference"],
            r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(16_777_216, r.GetProperty("bytes").GetDouble());
        Assert.Equal(134.217728, r.GetProperty("gbPerSecond").GetDouble(), 9);
        Assert.Equal("call", r.GetProperty("pass").GetString());
        Assert.Equal("Vector/VectorOps", r.GetProperty("op").GetString());
        // a memory-bound call against the copy: 134.2 GB/s of 4294.97 GB/s
        Assert.Equal(134.217728 / (2.0 * (1 << 30) / 0.5e-3 / 1e9), r.GetProperty("ratioToReference").GetDouble(), 12);
    }
}
