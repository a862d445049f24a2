using System.Text.Json;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Experiments.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The <c>train-*.json</c> and <c>cpu-vs-pytorch-*.json</c> reports (System.Text.Json source-generated): the field names
/// and their order stay those of the former hand-written writers, the derived numbers are recomputed here by hand, and a
/// training report reads back into what was written.
/// </summary>
public sealed class TrainingBenchmarkReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-bench-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrainingBenchmarkResult Result() => new(
        new TrainingBenchmarkSettings
        {
            Preset = "image-tiny",
            Batch = 4,
            TimedSteps = 3,
            WarmupSteps = 2,
            WarmupSeconds = 0.5,
            Seed = 7,
            Command = "ntr bench train --preset image-tiny <&> é+1",
            Workload = new PaperWorkload("a test workload", 4, 3, 100, 10, 20, 5, 7),
        },
        "ImageUNet image-tiny", 1234,
        new BenchmarkMachine("cuda:0", "Test GPU", "12.4", "9.0", 80_000_000_000, "Test CPU", 2, "Linux", ".NET 10", null),
        "cuda-events",
        [
            new MethodStepTiming("finetune", [3.0, 1.0, 2.0], 2, 0, 0, 4096, null, 0.25, 1.5),
            new MethodStepTiming("ewc", [4.0, 5.0, 8.0], 2, 0.5, 0.25, 8192, 123_456, 0.125, 2.5),
            new MethodStepTiming("ftml", [9.0, 10.0, 11.0], 2, 0.5, 0, 8192, null, 0.5, 2.5, MetaGradientOrder.SecondOrder),
        ],
        new ReplayGenerationTiming(8, 4, 10, 2.0),
        null,
        new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        true);

    [Fact]
    public void TrainingReportKeepsItsLayoutAndDerivedNumbers()
    {
        var path = TrainingBenchmarkReport.Write(Result(), _dir);
        Assert.Equal("train-image-tiny-test-gpu-20260102-030405.json", Path.GetFileName(path));
        var text = File.ReadAllText(path);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(
            ["benchmark", "preset", "model", "parameters", "device", "deviceName", "driverCudaVersion", "computeCapability",
             "deviceMemoryBytes", "cpu", "cores", "os", "runtime", "loadAverage", "date", "command", "precision", "batch",
             "warmupSteps", "warmupSeconds", "timedSteps", "timing", "seed", "complete", "workload", "ddim", "fisher", "methods"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ntr bench train", root.GetProperty("benchmark").GetString());
        Assert.Equal("2026-01-02T03:04:05Z", root.GetProperty("date").GetString());
        Assert.Equal("fp32", root.GetProperty("precision").GetString());
        Assert.Equal(80_000_000_000, root.GetProperty("deviceMemoryBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("loadAverage").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fisher").ValueKind);
        Assert.Equal(7UL, root.GetProperty("seed").GetUInt64());
        // relaxed escaping, as before: the command stays readable in the file
        Assert.Contains("\"command\": \"ntr bench train --preset image-tiny <&> é+1\"", text, StringComparison.Ordinal);

        var workload = root.GetProperty("workload");
        Assert.Equal(
            ["source", "tasks", "stepsPerTask", "replayPoolPerTask", "fisherSamplesPerTask", "replayGenerationBatch",
             "replayDdimSteps", "replaySamplesPerStep", "fisherSamplesPerStep"],
            workload.EnumerateObject().Select(p => p.Name));
        // 10 pool samples per task regenerated after tasks 0 and 1 over 3 × 100 steps: 20 / 200 per step (half-way average)
        Assert.Equal(0.1, workload.GetProperty("replaySamplesPerStep").GetDouble(), 15);
        Assert.Equal(40.0 / 300, workload.GetProperty("fisherSamplesPerStep").GetDouble(), 15);

        var ddim = root.GetProperty("ddim");
        Assert.Equal(["what", "samples", "batch", "steps", "seconds", "samplesPerSecond"], ddim.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4.0, ddim.GetProperty("samplesPerSecond").GetDouble());

        var methods = root.GetProperty("methods").EnumerateArray().ToArray();
        Assert.Equal(
            ["method", "stepMs", "warmupStepsRun", "medianStepMs", "stepsPerSecond", "samplesPerSecond", "amortisedReplayMs",
             "amortisedFisherMs", "effectiveStepMs", "effectiveStepsPerSecond", "peakPoolBytes", "deviceUsedBytes", "lastLoss",
             "setupSeconds", "metaGradient", "losses", "cudaGraph"],
            methods[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal([3.0, 1.0, 2.0], methods[0].GetProperty("stepMs").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(2.0, methods[0].GetProperty("medianStepMs").GetDouble());
        Assert.Equal(500.0, methods[0].GetProperty("stepsPerSecond").GetDouble());
        Assert.Equal(2000.0, methods[0].GetProperty("samplesPerSecond").GetDouble());
        Assert.Equal(JsonValueKind.Null, methods[0].GetProperty("deviceUsedBytes").ValueKind);
        // ewc: median 5 ms plus 0.5 ms amortised replay and 0.25 ms amortised Fisher
        Assert.Equal(5.75, methods[1].GetProperty("effectiveStepMs").GetDouble());
        Assert.Equal(1000 / 5.75, methods[1].GetProperty("effectiveStepsPerSecond").GetDouble(), 12);
        Assert.Equal(123_456, methods[1].GetProperty("deviceUsedBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, methods[1].GetProperty("metaGradient").ValueKind);
        Assert.Equal("second-order", methods[2].GetProperty("metaGradient").GetString());
    }

    [Fact]
    public void TrainingReportReadsBackAsWritten()
    {
        var expected = TrainingBenchmarkFile.From(Result());
        var back = TrainingBenchmarkReport.Read(TrainingBenchmarkReport.Write(Result(), _dir));
        // records compare their lists by reference: compare those element by element, the rest as records
        var none = Array.Empty<TrainingBenchmarkFile.MethodEntry>();
        var noSteps = Array.Empty<double>();
        Assert.Equal(expected with { Methods = none }, back with { Methods = none });
        Assert.Equal(expected.Methods.Count, back.Methods.Count);
        foreach (var (e, b) in expected.Methods.Zip(back.Methods))
        {
            Assert.Equal(e.StepMs, b.StepMs);
            Assert.Equal(e with { StepMs = noSteps }, b with { StepMs = noSteps });
        }
    }

    [Theory]
    [InlineData("{ \"benchmark\": \"ntr bench train\", ")]
    [InlineData("{ \"benchmark\": \"ntr bench train\" }")]
    public void ATruncatedOrIncompleteTrainingReportIsRefusedNamingTheFile(string content)
    {
        var path = Path.Combine(_dir, "train-broken.json");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => TrainingBenchmarkReport.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("ntr bench train", e.Message);
    }

    [Fact]
    public void CpuVsPyTorchReportRoundsAndKeepsItsLayout()
    {
        var settings = new CpuVsPyTorchSettings { Models = [("image-tiny", 4)], Threads = [2], WorkerScript = "cpu_step_worker.py", Command = "ntr bench cpu-vs-pytorch" };
        var pair = new CpuVsPyTorchPair("image-tiny", 4, 2, 1234, 3, 5,
            [[10.0, 12.0], [11.0, 13.0]], [[20.0, 22.0], [30.0, 26.0]], [[9.0, 11.0], [10.0, 10.0]], [[18.0, 20.0], [20.0, 22.0]],
            ["1.00 1.00 1.00", null], new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "2" });
        var path = CpuVsPyTorchReport.Write(settings, [pair], "2.5.0", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), _dir, complete: false);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal(
            ["device", "cores", "host", "date", "command", "operatingSystem", "runtime", "gemm", "torch", "loadAverageAtEnd",
             "complete", "ratio", "cpuTimeRatio", "step", "rounds", "stepsPerBlock", "settleMs", "results"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("complete").GetBoolean());
        Assert.Equal("2.5.0", root.GetProperty("torch").GetString());
        Assert.Equal(300, root.GetProperty("settleMs").GetInt32());
        var r = Assert.Single(root.GetProperty("results").EnumerateArray().ToArray());
        Assert.Equal(
            ["preset", "batch", "threads", "parameters", "ratio", "cpuTimeRatio", "oursMedianMs", "pytorchMedianMs",
             "oursStepsPerSecond", "pytorchStepsPerSecond", "roundRatios", "oursWarmupSteps", "pytorchWarmupSteps",
             "pytorchEnvironment", "loadAverages", "oursBlocksMs", "pytorchBlocksMs", "oursCpuBlocksMs", "pytorchCpuBlocksMs"],
            r.EnumerateObject().Select(p => p.Name));
        // medians by hand: ours {10,11,12,13} → 11.5 ms, PyTorch's {20,22,26,30} → 24 ms; CPU: 10 and 20
        Assert.Equal(11.5, r.GetProperty("oursMedianMs").GetDouble());
        Assert.Equal(24.0, r.GetProperty("pytorchMedianMs").GetDouble());
        Assert.Equal(Math.Round(24 / 11.5, 4), r.GetProperty("ratio").GetDouble());
        Assert.Equal(2.0, r.GetProperty("cpuTimeRatio").GetDouble());
        Assert.Equal(Math.Round(1000 / 11.5, 3), r.GetProperty("oursStepsPerSecond").GetDouble());
        // per round: round 1 21 / 11, round 2 28 / 12, each rounded to 3 decimals
        Assert.Equal([Math.Round(21 / 11.0, 3), Math.Round(28 / 12.0, 3)], r.GetProperty("roundRatios").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("2", r.GetProperty("pytorchEnvironment").GetProperty("OMP_NUM_THREADS").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("loadAverages")[1].ValueKind);
        Assert.Equal(30.0, r.GetProperty("pytorchBlocksMs")[1][0].GetDouble());
    }
}
