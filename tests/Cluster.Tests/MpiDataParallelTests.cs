using System.Text.Json.Nodes;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Distributed;

namespace NativeTrustRegion.Cluster.Tests;

/// <summary>
/// Data-parallel training over MPI on the CPU: `mpirun -np 2 ntr run ...` (Debian's OpenMPI, each rank half of every
/// batch, gradients all-reduced) against `ntr run ...` in one process with the whole batch.
/// </summary>
public sealed class MpiDataParallelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Run =
        ["run", "--method", "finetune", "--preset", "demo", "--seed", "3", "--tasks", "1", "--steps-per-task", "4", "--eval-samples", "8"];

    [Fact]
    public void TwoRanksWithHalfBatchesTrainTheSameWeightsAsOneRankWithTheWholeBatch()
    {
        Assert.True(ExternalProcess.OnPath("mpirun"), "mpirun is missing: install Debian's openmpi-bin and libopenmpi3 with tools/setup-system.sh");
        var one = Path.Combine(_dir, "one");
        var two = Path.Combine(_dir, "two");
        var env = new Dictionary<string, string> { ["NO_COLOR"] = "1", ["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none" };
        ExternalProcess.Ntr([.. Run, "--out", one], env).EnsureSuccess("ntr run (one rank)");
        var mpi = ExternalProcess.Run("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", "2", ExternalProcess.DotnetHost, ExternalProcess.NtrDll, .. Run, "--out", two], env)
            .EnsureSuccess("mpirun -np 2 ntr run");
        Assert.Contains("finetune rank 1/2", mpi.Output);

        var single = Weights(Path.Combine(one, "checkpoints", "after-task-01.safetensors"));
        var rank0 = Weights(Path.Combine(two, "checkpoints", "after-task-01.safetensors"));
        var rank1 = Weights(Path.Combine(two + ".rank-1", "checkpoints", "after-task-01.safetensors"));
        Assert.Equal(single.Length, rank0.Length);
        // every rank applies the same all-reduced gradient: the ranks' weights are bit-identical
        Assert.Equal(rank0, rank1);
        // against one rank: the batch sums of the weight gradients are split in two halves and added, a different
        // order of float32 additions, so equal within float32 rounding — except where a gradient component is at the
        // level of that rounding: Adam's first steps move a weight by about ±lr whatever its gradient's size, so where
        // such a component's sign differs the weight moves up to 2·lr apart per step. So: almost every weight within
        // float32 rounding of the update, and none farther than the sign-flip bound.
        AssertWeightsAgree(single, rank0, steps: 4);
        // the logged losses are the whole batch's (the mean of the two shards' means)
        var lossOne = Losses(Path.Combine(one, "metrics.jsonl"));
        var lossTwo = Losses(Path.Combine(two, "metrics.jsonl"));
        Assert.Equal(4, lossTwo.Length);
        Assert.True(lossOne[3] < 0.8 * lossOne[0], $"training did not lower the loss: {string.Join(", ", lossOne)}");
        for (var i = 0; i < lossOne.Length; i++)
        {
            Assert.Equal(lossOne[i], lossTwo[i], 1e-5);
        }
    }

    private static readonly string[] TrustRegionRun =
        ["run", "--method", "trust-region", "--preset", "demo", "--seed", "3", "--tasks", "2", "--steps-per-task", "2", "--eval-samples", "8"];

    [Fact]
    public void TwoRanksTrainTrustRegionWithSplitFisherAndReplayPoolLikeOneRank()
    {
        Assert.True(ExternalProcess.OnPath("mpirun"), "mpirun is missing: install Debian's openmpi-bin and libopenmpi3 with tools/setup-system.sh");
        var one = Path.Combine(_dir, "tr-one");
        var two = Path.Combine(_dir, "tr-two");
        var env = new Dictionary<string, string> { ["NO_COLOR"] = "1", ["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none" };
        ExternalProcess.Ntr([.. TrustRegionRun, "--out", one], env).EnsureSuccess("ntr run (one rank)");
        var mpi = ExternalProcess.Run("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", "2", ExternalProcess.DotnetHost, ExternalProcess.NtrDll, .. TrustRegionRun, "--out", two], env)
            .EnsureSuccess("mpirun -np 2 ntr run --method trust-region");
        Assert.Contains("trust-region rank 1/2", mpi.Output);

        // the latest checkpoint holds the weights after task 2 and the method state made after task 1: the rank-1
        // Fisher (μ, diagonal) and the replay pool, which the ranks computed in halves and summed
        var single = Path.Combine(one, "checkpoints", "latest.safetensors");
        var rank0 = Path.Combine(two, "checkpoints", "latest.safetensors");
        var rank1 = Path.Combine(two + ".rank-1", "checkpoints", "latest.safetensors");
        string[] state = ["method/fisher.0.mean", "method/fisher.0.diagonal", "method/replay.samples", "method/replay.conditions"];
        foreach (var name in state)
        {
            // the halves are summed by one all-reduce: every rank holds the same vector, bit for bit
            Assert.Equal(Vector(rank0, name), Vector(rank1, name));
        }
        Assert.Equal(Weights(Path.Combine(two, "checkpoints", "after-task-02.safetensors")), Weights(Path.Combine(two + ".rank-1", "checkpoints", "after-task-02.safetensors")));

        // against one process, within float32 rounding of a different summation order. Measured on 2 cores:
        // weights after 4 steps max |Δw| 8.2e-5 (Adam's first steps move a weight by ±lr = 3e-3 whatever its gradient's
        // size, so a near-zero gradient component whose float32 sum changes sign moves that far; most move < 1e-6);
        // at the end of task 1 the weights differ by 2.1e-5, so the Fisher and the pool are computed at slightly
        // different weights: μ max |Δ| 3.1e-7 of max |μ| 0.37, diagonal 1.2e-7 of 0.17, pool samples 2.2e-5 in [−1, 1]
        AssertWeightsAgree(Weights(Path.Combine(one, "checkpoints", "after-task-02.safetensors")), Weights(Path.Combine(two, "checkpoints", "after-task-02.safetensors")), steps: 4);
        var mean = Vector(single, "method/fisher.0.mean");
        Assert.True(mean.Max(Math.Abs) > 0.01, "the Fisher mean is zero: the test would not see a missing half");
        Assert.True(MaxDifference(mean, Vector(rank0, "method/fisher.0.mean")) < 1e-5, "Fisher μ differs from one process");
        Assert.True(MaxDifference(Vector(single, "method/fisher.0.diagonal"), Vector(rank0, "method/fisher.0.diagonal")) < 1e-5, "Fisher diagonal differs from one process");
        Assert.True(MaxDifference(Vector(single, "method/replay.samples"), Vector(rank0, "method/replay.samples")) < 1e-3, "replay pool differs from one process");
        Assert.Equal(Vector(single, "method/replay.conditions"), Vector(rank0, "method/replay.conditions"));
        var lossOne = Losses(Path.Combine(one, "metrics.jsonl"));
        var lossTwo = Losses(Path.Combine(two, "metrics.jsonl"));
        Assert.Equal(lossOne.Length, lossTwo.Length);
        for (var i = 0; i < lossOne.Length; i++)
        {
            Assert.Equal(lossOne[i], lossTwo[i], 1e-4);
        }
    }

    /// <summary>The demo preset's learning rate (Adam): a step moves a weight by about lr at most.</summary>
    private const double LearningRate = 3e-3;

    /// <summary>
    /// One process against two ranks after <paramref name="steps"/> Adam steps: at least 99.9% of the weights within
    /// 1e-5 (float32 rounding of updates of up to steps·lr = 1.2e-2), and every weight within the sign-flip bound
    /// 2·lr per step.
    /// </summary>
    private static void AssertWeightsAgree(float[] single, float[] ranks, int steps)
    {
        Assert.Equal(single.Length, ranks.Length);
        var diffs = single.Zip(ranks, (a, b) => (double)Math.Abs(a - b)).Order().ToArray();
        var q999 = diffs[(int)(0.999 * (diffs.Length - 1))];
        var max = diffs[^1];
        var apart = diffs.Count(d => d > 1e-5);
        Assert.True(q999 < 1e-5, $"99.9th percentile of |w(1 rank) − w(2 ranks)| = {q999} (max {max}; {apart} of {diffs.Length} weights more than 1e-5 apart)");
        Assert.True(max <= 2 * LearningRate * steps, $"max |w(1 rank) − w(2 ranks)| = {max} exceeds the sign-flip bound 2·lr·steps = {2 * LearningRate * steps}");
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
    }

    private static float[] Vector(string checkpoint, string name)
    {
        var file = SafeTensorsFile.Read(checkpoint);
        var (_, shape) = file.Info(name);
        var t = Engine.Tensor.EmptyUnscoped(shape, DType.F32, Device.Cpu);
        file.CopyTo(name, t);
        return t.ToFloatArray();
    }

    [Fact]
    public void ASingleRankLeavesDataUnchangedAndRefusesOtherRoots()
    {
        var collective = Collectives.FromEnvironment();
        Assert.Same(SingleRank.Instance, collective);
        float[] data = [1.5f, -2f];
        collective.AllReduceSum(data.AsSpan());
        Assert.Equal([1.5f, -2f], data);
        var grad = Tensor.FromArray([2f, 4f], 2);
        GradientAveraging.AllReduceMean(collective, grad);
        Assert.Equal([2f, 4f], grad.ToFloatArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => collective.Broadcast(data.AsSpan(), 1));
        Assert.True(collective.AnyRank(true));
        Assert.False(collective.AnyRank(false));
    }

    /// <summary>All the model's weights in the checkpoint, in name order (the after-task checkpoints hold the weights only).</summary>
    private static float[] Weights(string path)
    {
        var file = SafeTensorsFile.Read(path);
        var values = new List<float>();
        foreach (var name in file.Names.Order(StringComparer.Ordinal))
        {
            var (_, shape) = file.Info(name);
            var t = Tensor.EmptyUnscoped(shape, DType.F32, Device.Cpu);
            file.CopyTo(name, t);
            values.AddRange(t.ToFloatArray());
        }
        return values.ToArray();
    }

    private static double[] Losses(string metrics) =>
        File.ReadLines(metrics).Select(l => JsonNode.Parse(l)!["loss"]!.GetValue<double>()).ToArray();
}
