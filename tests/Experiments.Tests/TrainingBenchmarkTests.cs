using System.Text.Json;
using NativeTrustRegion.Cli;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// `ntr bench train`, `export-batches` and `loss-track` on the CPU with the tiny presets: the JSON fields exist, are
/// finite and agree with each other (medians, rates, amortised costs recomputed here). Nothing here checks a speed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainingBenchmarkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Error) Ntr(params string[] args)
    {
        var error = new StringWriter();
        lock (Program.ConsoleLock) // no concurrent Program.Run may write into this writer
        {
            var previous = Console.Error;
            Console.SetError(error);
            try
            {
                return (Program.Main(args), error.ToString());
            }
            finally
            {
                Console.SetError(previous);
            }
        }
    }

    [Theory]
    [InlineData("image-tiny")]
    [InlineData("policy-tiny")]
    public void BenchTrainWritesConsistentFiniteResultsForEveryPaperMethod(string preset)
    {
        var (exit, error) = Ntr("bench", "train", "--preset", preset, "--device", "cpu", "--batch", "4", "--warmup", "2", "--warmup-seconds", "0", "--steps", "3",
            "--replay-pool", "8", "--fisher-samples", "4", "--meta-gradient", "first-order", "--out", _dir);
        Assert.True(exit == 0, error);
        var file = Assert.Single(Directory.GetFiles(_dir, $"train-{preset}-cpu-*.json"));
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;
        var workload = PaperWorkload.For(preset);

        Assert.Equal(preset, root.GetProperty("preset").GetString());
        Assert.True(root.GetProperty("parameters").GetInt64() > 0);
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal("fp32", root.GetProperty("precision").GetString());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("synchronize+stopwatch", root.GetProperty("timing").GetString());
        Assert.Equal(4, root.GetProperty("batch").GetInt32());
        Assert.Equal(3, root.GetProperty("timedSteps").GetInt32());
        Assert.StartsWith($"ntr bench train --preset {preset} --device cpu", root.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("driverCudaVersion").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("deviceName").GetString()));

        var ddim = root.GetProperty("ddim");
        Assert.Equal(8, ddim.GetProperty("samples").GetInt32());
        Assert.Equal(workload.ReplayDdimSteps, ddim.GetProperty("steps").GetInt32());
        var secondsPerSample = ddim.GetProperty("seconds").GetDouble() / 8;
        Assert.Equal(1 / secondsPerSample, Finite(ddim, "samplesPerSecond"), 6);
        var fisher = root.GetProperty("fisher");
        Assert.Equal(4, fisher.GetProperty("samplesTimed").GetInt32());
        var fisherPerSample = Finite(fisher, "secondsPerSample");
        Assert.Equal(workload.ReplaySamplesPerStep, root.GetProperty("workload").GetProperty("replaySamplesPerStep").GetDouble(), 12);

        var methods = root.GetProperty("methods").EnumerateArray().ToArray();
        Assert.Equal(MethodTable.PaperMethods, methods.Select(m => m.GetProperty("method").GetString()));
        foreach (var m in methods)
        {
            var id = m.GetProperty("method").GetString()!;
            Assert.Equal(id is "ftml" or "vrmcl" ? "first-order" : null, m.GetProperty("metaGradient").GetString());
            var steps = m.GetProperty("stepMs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(3, steps.Length);
            Assert.Equal(2, m.GetProperty("warmupStepsRun").GetInt32());
            Assert.All(steps, s => Assert.True(double.IsFinite(s) && s > 0, $"{id}: step time {s}"));
            var median = Finite(m, "medianStepMs");
            Assert.Equal(steps.Order().ElementAt(1), median);
            Assert.Equal(1000 / median, Finite(m, "stepsPerSecond"), 9);
            Assert.Equal(4 * 1000 / median, Finite(m, "samplesPerSecond"), 9);

            var replays = id is "replay" or "trust-region" or "ftml" or "vrmcl";
            var penalised = id is "ewc" or "trust-region";
            var replayMs = Finite(m, "amortisedReplayMs");
            var fisherMs = Finite(m, "amortisedFisherMs");
            Assert.Equal(replays ? secondsPerSample * 1000 * workload.ReplaySamplesPerStep : 0, replayMs, 6);
            Assert.Equal(penalised ? fisherPerSample * 1000 * workload.FisherSamplesPerStep : 0, fisherMs, 6);
            Assert.True(!replays || replayMs > 0, $"{id} replays but has no amortised generation cost");
            Assert.Equal(median + replayMs + fisherMs, Finite(m, "effectiveStepMs"), 9);
            Assert.True(m.GetProperty("peakPoolBytes").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Null, m.GetProperty("deviceUsedBytes").ValueKind);
            Assert.True(Finite(m, "lastLoss") > 0);
        }
    }

    [Fact]
    public void BenchTrainTimesTheMetaLearnersAtBothMetaGradientOrders()
    {
        // the paper's Table 6: it/s first-order and second-order; the other methods once
        var output = new StringWriter();
        (int Exit, string Error) result;
        lock (Program.ConsoleLock) // no concurrent Program.Run may write into this writer
        {
            var previous = Console.Out;
            Console.SetOut(output);
            try
            {
                result = Ntr("bench", "train", "--preset", "policy-tiny", "--device", "cpu", "--batch", "4", "--warmup", "1", "--warmup-seconds", "0", "--steps", "1",
                    "--methods", "finetune,ftml", "--replay-pool", "4", "--skip-ddim", "--out", _dir);
            }
            finally
            {
                Console.SetOut(previous);
            }
        }
        Assert.True(result.Exit == 0, result.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(_dir, "train-policy-tiny-cpu-*.json"))));
        var methods = doc.RootElement.GetProperty("methods").EnumerateArray()
            .Select(m => (m.GetProperty("method").GetString(), m.GetProperty("metaGradient").GetString(), Finite(m, "stepsPerSecond"))).ToArray();
        Assert.Equal([("finetune", null), ("ftml", "first-order"), ("ftml", "second-order")], methods.Select(m => (m.Item1, m.Item2)));
        var fo = methods[1].Item3;
        var so = methods[2].Item3;
        Assert.Contains($"ftml: {fo:F2} it/s (FO), {so:F2} it/s (2nd)", output.ToString(), StringComparison.Ordinal);
    }

    private static double Finite(JsonElement e, string name)
    {
        var v = e.GetProperty(name).GetDouble();
        Assert.True(double.IsFinite(v), $"{name} = {v}");
        return v;
    }

    [Fact]
    public void PaperWorkloadSpreadsPerTaskWorkOverTheStream()
    {
        var image = PaperWorkload.For("image-paper");
        // the replay pool is 1,300 per class (the authors' code): 65,000 per 50-class task
        Assert.Equal((128, 10, 50_000, 65_000, 10_000), (image.Batch, image.Tasks, image.StepsPerTask, image.ReplayPoolPerTask, image.FisherSamplesPerTask));
        // pools of 1, 2, …, 9 finished tasks regenerated after tasks 0..8: 45 × 65,000 samples over 500,000 steps
        Assert.Equal(45 * 65_000 / 500_000.0, image.ReplaySamplesPerStep, 12);
        Assert.Equal(9 * 10_000 / 500_000.0, image.FisherSamplesPerStep, 12);
        var policy = PaperWorkload.For("policy-paper");
        Assert.Equal((256, 10, 50_000, 2_500, 20_000), (policy.Batch, policy.Tasks, policy.StepsPerTask, policy.ReplayPoolPerTask, policy.FisherSamplesPerTask));
        Assert.Equal(45 * 2_500 / 500_000.0, policy.ReplaySamplesPerStep, 12);
    }

    [Fact]
    public void MedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleValues()
    {
        Assert.Equal(2.0, MethodStepTiming.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, MethodStepTiming.Median([4.0, 1.0, 3.0, 2.0]));
    }

    [SkippableFact]
    public void BenchTrainOnCudaWithoutAGpuSaysWhyAndFails()
    {
        var gpu = true;
        try
        {
            BackendRegistry.For(Device.Cuda());
        }
        catch (Exception)
        {
            gpu = false;
        }
        Skip.If(gpu, "a GPU is present, so there is no missing-GPU message to check");
        var (exit, error) = Ntr("bench", "train", "--preset", "image-tiny", "--device", "cuda", "--out", _dir);
        Assert.Equal(1, exit); // a missing GPU is a run-time failure (README: exit codes)
        Assert.Contains("no usable GPU", error);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("tf32", "GPU tensor-core mode")]
    [InlineData("fp16", "unknown precision 'fp16'; use fp32, tf32 or bf16")]
    public void PrecisionsTheCpuCannotRunAreRefusedWithTheReason(string precision, string reason)
    {
        var (exit, error) = Ntr("bench", "train", "--preset", "image-tiny", "--device", "cpu", "--precision", precision, "--out", _dir);
        Assert.Equal(2, exit);
        Assert.Contains(reason, error);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("image-tiny")]
    [InlineData("policy-tiny")]
    public void ExportedBatchesTrainToTheSameFiniteLossesOnEveryRun(string preset)
    {
        var folder = Path.Combine(_dir, "batches");
        Assert.Equal(0, Ntr("bench", "export-batches", "--preset", preset, "--batch", "3", "--steps", "4", "--out", folder).Exit);
        var first = Path.Combine(_dir, "first.json");
        var second = Path.Combine(_dir, "second.json");
        Assert.Equal(0, Ntr("bench", "loss-track", "--batches", folder, "--device", "cpu", "--out", first).Exit);
        Assert.Equal(0, Ntr("bench", "loss-track", "--batches", folder, "--device", "cpu", "--out", second).Exit);
        double[] Losses(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            Assert.Equal("ntr", doc.RootElement.GetProperty("framework").GetString());
            return doc.RootElement.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }
        var losses = Losses(first);
        Assert.Equal(4, losses.Length);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
        Assert.Equal(losses, Losses(second));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, LossTrackingBatches.ManifestFile)));
        var m = manifest.RootElement;
        Assert.Equal(LossTrackingBatches.Format, m.GetProperty("format").GetString());
        Assert.Equal(4, m.GetProperty("tensors").GetProperty("x0")[0].GetInt32());
        Assert.Equal(3, m.GetProperty("tensors").GetProperty("x0")[1].GetInt32());
        var file = Engine.Checkpoints.SafeTensorsFile.Read(Path.Combine(folder, LossTrackingBatches.BatchesFile));
        var signal = file.ReadFloats("signal");
        var noiseScale = file.ReadFloats("noise_scale");
        var timesteps = file.ReadFloats("timesteps");
        for (var i = 0; i < signal.Length; i++)
        {
            Assert.InRange(timesteps[i], 0, 999);
            Assert.Equal(1.0, signal[i] * (double)signal[i] + noiseScale[i] * (double)noiseScale[i], 5);
        }
    }
}
