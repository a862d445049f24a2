using System.Diagnostics;
using System.Text.Json;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The training step captured in a CUDA graph (CapturedReplayAndPenaltyStep) against the eager step, end to end on
/// the emulated CUDA device: `ntr bench train --device cuda-emulated` trains each method twice from the same seeded
/// state (weights, data, Fisher estimate, replay pool) — once with <c>method.Step</c>, once through the captured
/// step (step 1 eager, step 2 captured, steps 3… graph launches) — and records every step's loss. The graph gets
/// its per-step batch, timesteps, noise and dropout offsets and Adam scalars only through staged device memory, so
/// equal losses at the replayed steps mean each of them reached the graph. Tolerance: bitwise (the same kernels in
/// the same order; the fused rank-1 penalty + Adam kernel computes the eager penalty gradient and Adam's
/// operations in the same order). image-tiny has dropout (0.1), so its masks are checked too; policy-tiny's
/// trust-region step has replay, distillation against the teacher and the rank-1 Fisher penalty.
/// Each `ntr` runs in its own process: the emulated device is chosen once per process.
/// </summary>
public sealed class EmulatedCudaGraphTrainingTests
{
    private const int WarmupSteps = 2;
    private const int TimedSteps = 4;

    [Theory]
    [InlineData("image-tiny", "finetune")]
    [InlineData("policy-tiny", "trust-region")]
    public async Task GraphReplayedStepsGiveTheEagerLossesBitForBit(string preset, string method)
    {
        var folder = Directory.CreateTempSubdirectory($"ntr-graph-{preset}-").FullName;
        try
        {
            var output = await Ntr("bench", "train", "--preset", preset, "--device", "cuda-emulated", "--batch", "2", "--methods", method,
                "--warmup", WarmupSteps.ToString(), "--warmup-seconds", "0", "--steps", TimedSteps.ToString(), "--replay-pool", "4",
                "--fisher-samples", "2", "--skip-ddim", "--loss-read-every", "3", "--cuda-graph", "on", "--out", folder);
            Assert.Contains($"{method,-14} CUDA graph captured:", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(folder, "train-*.json").Single()));
            var entry = json.RootElement.GetProperty("methods")[0];
            var eager = Doubles(entry.GetProperty("losses"));
            var graph = entry.GetProperty("cudaGraph");
            Assert.True(graph.GetProperty("captured").GetBoolean());
            var replayed = Doubles(graph.GetProperty("losses"));
            Assert.Equal(WarmupSteps + TimedSteps, eager.Length);
            Assert.Equal(eager.Length, replayed.Length);
            for (var i = 0; i < eager.Length; i++)
            {
                Assert.True(double.IsFinite(eager[i]) && eager[i] > 0, $"step {i + 1}: eager loss {eager[i]}");
                Assert.True(BitConverter.DoubleToInt64Bits(eager[i]) == BitConverter.DoubleToInt64Bits(replayed[i]),
                    $"{preset} {method} step {i + 1}: graph loss {replayed[i]:R} vs eager {eager[i]:R}");
            }
            // every step draws a new batch and noise: equal losses are not one repeated value
            Assert.Equal(eager.Length, eager.Distinct().Count());
            Assert.Equal(TimedSteps, graph.GetProperty("stepMs").GetArrayLength());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AMethodWhoseStepCannotBeCapturedRunsEagerlyAndSaysWhy()
    {
        var folder = Directory.CreateTempSubdirectory("ntr-graph-eager-").FullName;
        try
        {
            var output = await Ntr("bench", "train", "--preset", "policy-tiny", "--device", "cuda-emulated", "--batch", "2", "--methods", "ewc-diag",
                "--warmup", "1", "--warmup-seconds", "0", "--steps", "1", "--fisher-samples", "2", "--skip-ddim", "--out", folder);
            Assert.Contains("ewc-diag       eager only (not captured in a CUDA graph): the diagonal EWC penalty computes its value with host reads", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(folder, "train-*.json").Single()));
            var graph = json.RootElement.GetProperty("methods")[0].GetProperty("cudaGraph");
            Assert.False(graph.GetProperty("captured").GetBoolean());
            Assert.StartsWith("the diagonal EWC penalty", graph.GetProperty("notCapturedBecause").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The per-task learning-rate decay reaches the captured step: `ntr run` with the graph and without it, six updates
    /// whose last two are at 2/3 and 1/3 of the rate, give the same losses bit for bit (the sixth loss follows the
    /// fifth, decayed update; RunnerTests shows it differs from a constant rate's) and log the same rates.
    /// </summary>
    [Fact]
    public async Task TheDecayingLearningRateReachesTheGraphReplayedSteps()
    {
        var folder = Directory.CreateTempSubdirectory("ntr-graph-decay-").FullName;
        try
        {
            var runs = new Dictionary<string, (double Loss, double Rate)[]>();
            foreach (var graph in new[] { "on", "off" })
            {
                var output = await Ntr("run", "--method", "finetune", "--preset", "demo", "--device", "cuda-emulated", "--steps-per-task", "6", "--tasks", "1",
                    "--eval-samples", "2", "--set", "batch_size=4", "--set", "learning_rate_decay_fraction=0.5", "--set", "evaluation.probe_samples_per_task=2",
                    "--cuda-graph", graph, "--loss-read-every", "4", "--out", Path.Combine(folder, graph));
                Assert.Equal(graph == "on", output.Contains("the training step runs as a CUDA graph (captured at its second step", StringComparison.Ordinal));
                runs[graph] = File.ReadAllLines(Path.Combine(folder, graph, "metrics.jsonl"))
                    .Select(l => JsonDocument.Parse(l).RootElement)
                    .Select(e => (e.GetProperty("loss").GetDouble(), e.GetProperty("learning_rate").GetDouble())).ToArray();
            }
            Assert.Equal([3e-3, 3e-3, 3e-3, 3e-3, 3e-3 * 2 / 3, 3e-3 * 1 / 3], runs["on"].Select(r => r.Rate));
            Assert.Equal(runs["off"].Select(r => r.Rate), runs["on"].Select(r => r.Rate));
            Assert.Equal(runs["off"].Select(r => BitConverter.DoubleToInt64Bits(r.Loss)), runs["on"].Select(r => BitConverter.DoubleToInt64Bits(r.Loss)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static Task<string> Ntr(params string[] args) => NtrChildProcess.RunSucceeding(args);
}
