using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// The data-parallel step in float64 with ranks as threads of this process (an in-memory collective): the averaged
/// shard gradients are the whole batch's gradient, and several ranks train the same weights as one.
/// </summary>
public sealed class DataParallelTests
{
    private static Hyperparameters Hyper => new() { BatchSize = 6, LearningRate = 1e-2, EwcLambda = 50, FisherSamples = 8 };

    /// <summary>Ranks as threads: each contributes its buffer, every rank sums all of them in rank order.</summary>
    private sealed class ThreadRanks(int size)
    {
        private readonly Barrier _barrier = new(size);
        private readonly double[][] _slots = new double[size][];

        /// <summary>What each rank contributed to its first all-reduce (its own gradient, for the gradient test).</summary>
        public double[]?[] FirstContribution { get; } = new double[size][];

        /// <summary>Every rank's contributions to its all-reduces, in order.</summary>
        public List<double[]>[] Contributions { get; } = Enumerable.Range(0, size).Select(_ => new List<double[]>()).ToArray();

        public ICollective Rank(int rank) => new Member(this, rank);

        private sealed class Member(ThreadRanks group, int rank) : ICollective
        {
            public int Rank => rank;

            public int Size => group._slots.Length;

            public string Transport => "threads";

            public void AllReduceSum(Span<double> data)
            {
                group._slots[rank] = data.ToArray();
                group.FirstContribution[rank] ??= group._slots[rank];
                group.Contributions[rank].Add(group._slots[rank]);
                group._barrier.SignalAndWait();
                data.Clear();
                foreach (var slot in group._slots)
                {
                    for (var i = 0; i < data.Length; i++)
                    {
                        data[i] += slot[i];
                    }
                }
                group._barrier.SignalAndWait();
            }

            public void AllReduceSum(Span<float> data) => throw new NotSupportedException("float64 test");

            public void Broadcast(Span<double> data, int root)
            {
                group._slots[rank] = data.ToArray();
                group._barrier.SignalAndWait();
                group._slots[root].CopyTo(data);
                group._barrier.SignalAndWait();
            }

            public void Broadcast(Span<float> data, int root) => throw new NotSupportedException("float64 test");

            public void Dispose()
            {
            }
        }
    }

    private static ThreadRanks OnRanks(int ranks, Action<int, ICollective> body)
    {
        var group = new ThreadRanks(ranks);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, ranks).Select(r => new Thread(() =>
        {
            try
            {
                body(r, group.Rank(r));
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        return group;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AveragedShardGradientsAreTheWholeBatchGradient(int ranks)
    {
        var harnesses = Enumerable.Range(0, ranks).Select(_ => new MethodHarness(Hyper)).ToArray();
        var losses = new double[ranks];
        var group = OnRanks(ranks, (r, collective) =>
        {
            var ctx = harnesses[r].Context;
            ctx.Collective = collective;
            losses[r] = DataParallel.Backward(ctx, harnesses[r].Stream[0].NextBatch(Hyper.BatchSize));
        });

        // the reference: the whole batch and its whole draw, one gradient through the tape
        var reference = new MethodHarness(Hyper);
        var weights = reference.Context.Parameters.Data.ToDoubleArray();
        var batch = reference.Stream[0].NextBatch(Hyper.BatchSize);
        var draw = NoiseDraw.Sample(reference.Context.Schedule, batch.X0, reference.Context.Noise);
        var expected = reference.Gradient(weights, batch, draw);
        var expectedLoss = DenoisingLoss.Compute(reference.Model, reference.Context.Schedule, batch.X0, batch.Condition, draw).Item();
        for (var r = 0; r < ranks; r++)
        {
            var actual = harnesses[r].Context.Parameters.Grad.ToDoubleArray();
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], actual[i], 1e-12);
            }
            Assert.Equal(expectedLoss, losses[r], 1e-12);
            // every rank's random streams advanced as in one process
            Assert.Equal(reference.Context.Noise.Offset, harnesses[r].Context.Noise.Offset);
            // and each rank back-propagated only its own rows: its contribution is the gradient of its shard's mean loss
            var (start, count) = (r * Hyper.BatchSize / ranks, Hyper.BatchSize / ranks);
            var shardDraw = new NoiseDraw(draw.Timesteps[start..(start + count)], draw.Noise.Slice(0, start, count));
            var shardGradient = reference.Gradient(weights, batch.Slice(start, count), shardDraw);
            var contributed = group.FirstContribution[r]!;
            for (var i = 0; i < shardGradient.Length; i++)
            {
                Assert.Equal(shardGradient[i], contributed[i], 1e-12);
            }
        }
    }

    [Fact]
    public void TwoRanksTrainEwcToTheSameWeightsAsOne()
    {
        double[] Train(MethodHarness h)
        {
            var method = new Ewc(FisherForm.Rank1);
            for (var task = 0; task < 2; task++)
            {
                method.BeginTask(h.Context, task);
                for (var step = 1; step <= 3; step++)
                {
                    method.Step(h.Context, task, step);
                }
                method.EndTask(h.Context, task);
            }
            return h.Context.Parameters.Data.ToDoubleArray();
        }

        var single = Train(new MethodHarness(Hyper));
        var results = new double[2][];
        OnRanks(2, (r, collective) =>
        {
            var h = new MethodHarness(Hyper);
            h.Context.Collective = collective;
            results[r] = Train(h);
        });
        Assert.Equal(results[0], results[1]);
        Assert.NotEqual(new MethodHarness(Hyper).Context.Parameters.Data.ToDoubleArray(), single);
        for (var i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], results[0][i], 1e-10);
        }
    }

    /// <summary>Replay with its distillation term and the rank-1 Fisher: a pool in batches of 4, 4 and 2 rows (shares of 2, 2, 1 and 1).</summary>
    private static Hyperparameters TrustRegionHyper => new()
    {
        BatchSize = 6, LearningRate = 1e-2, EwcLambda = 50, FisherSamples = 9, ReplayRatio = 1.0, DistillationWeight = 0.5,
        ReplayPoolPerTask = 10, ReplayGenerationBatch = 4, ReplayDdimSteps = 5,
    };

    private static TrustRegion TrainTrustRegion(MethodHarness h)
    {
        var method = new TrustRegion();
        for (var task = 0; task < 2; task++)
        {
            method.BeginTask(h.Context, task);
            for (var step = 1; step <= 3; step++)
            {
                method.Step(h.Context, task, step);
            }
            method.EndTask(h.Context, task);
        }
        return method;
    }

    [Fact]
    public void TwoRanksTrainTrustRegionToTheSameWeightsFisherAndReplayPoolAsOne()
    {
        var one = new MethodHarness(TrustRegionHyper);
        var single = TrainTrustRegion(one);
        var methods = new TrustRegion[2];
        var harnesses = new MethodHarness[2];
        var group = OnRanks(2, (r, collective) =>
        {
            harnesses[r] = new MethodHarness(TrustRegionHyper);
            harnesses[r].Context.Collective = collective;
            methods[r] = TrainTrustRegion(harnesses[r]);
        });

        static void Close(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-10, $"{what}[{i}]: one rank {expected[i]}, two ranks {actual[i]}");
            }
        }

        var fisher = single.Penalty!.Tasks.Single();
        var pool = single.Memory.Pool!;
        Assert.Equal(10, pool.Count);
        Assert.True(fisher.Scale > 0);
        for (var r = 0; r < 2; r++)
        {
            Close(one.Context.Parameters.Data.ToDoubleArray(), harnesses[r].Context.Parameters.Data.ToDoubleArray(), $"rank {r} weights");
            var f = methods[r].Penalty!.Tasks.Single();
            Close(fisher.Mean.ToDoubleArray(), f.Mean.ToDoubleArray(), $"rank {r} Fisher μ");
            Close(fisher.Diagonal.ToDoubleArray(), f.Diagonal.ToDoubleArray(), $"rank {r} Fisher diagonal");
            Assert.True(Math.Abs(fisher.Scale - f.Scale) <= 1e-10 * Math.Max(1, fisher.Scale), $"rank {r} c*: {f.Scale} vs {fisher.Scale}");
            Close(pool.Samples.ToDoubleArray(), methods[r].Memory.Pool!.Samples.ToDoubleArray(), $"rank {r} replay pool");
            Close(pool.Conditions!.ToDoubleArray(), methods[r].Memory.Pool!.Conditions!.ToDoubleArray(), $"rank {r} replay conditions");
            // every random stream ended where one process's did
            Assert.Equal(one.Context.Noise.Offset, harnesses[r].Context.Noise.Offset);
            Assert.Equal(one.Context.Fisher.Offset, harnesses[r].Context.Fisher.Offset);
        }
        Assert.Equal(harnesses[0].Context.Parameters.Data.ToDoubleArray(), harnesses[1].Context.Parameters.Data.ToDoubleArray());

        // the work was split, not repeated: task 0's three steps all-reduce a gradient and a loss each, then come the
        // Fisher μ, the diagonal, E[(μᵀg)²] and the pool, each rank contributing its share only
        var parameters = fisher.Mean.Numel;
        var contributions = group.Contributions.Select(c => c.Skip(6).Take(4).ToArray()).ToArray();
        Assert.Equal(parameters, contributions[0][0].Length);
        var mean = fisher.Mean.ToDoubleArray();
        var partialsSum = contributions[0][0].Zip(contributions[1][0], (a, b) => a + b).ToArray();
        Close(mean, partialsSum, "sum of the ranks' partial μ");
        for (var r = 0; r < 2; r++)
        {
            var distance = contributions[r][0].Zip(mean, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(distance > 1e-3 * mean.Max(Math.Abs), $"rank {r}'s partial μ is the whole μ: the per-sample gradients were not split");
        }
        var rows = pool.Samples.ToDoubleArray();
        Assert.Equal(rows.Length, contributions[0][3].Length);
        // generation batches [0, 4), [4, 8), [8, 10): rank 0 denoises rows 0–1, 4–5, 8; rank 1 rows 2–3, 6–7, 9
        int[][] owned = [[0, 1, 4, 5, 8], [2, 3, 6, 7, 9]];
        for (var r = 0; r < 2; r++)
        {
            for (var row = 0; row < 10; row++)
            {
                for (var k = 0; k < TinyDenoiser.Width; k++)
                {
                    var value = contributions[r][3][row * TinyDenoiser.Width + k];
                    Assert.Equal(owned[r].Contains(row) ? rows[row * TinyDenoiser.Width + k] : 0.0, value);
                }
            }
        }
    }

    [Fact]
    public void ABatchThatDoesNotSplitEvenlyIsRefused()
    {
        OnRanks(2, (r, collective) =>
        {
            if (r == 0)
            {
                var e = Assert.Throws<ArgumentException>(() => DataParallel.Shard(7, collective));
                Assert.Contains("batch size 7 does not split evenly over 2 ranks", e.Message);
            }
        });
        OnRanks(2, (r, collective) =>
        {
            if (r == 0)
            {
                var e = Assert.Throws<ArgumentException>(() => DataParallel.Shard(5, collective, "replay batch"));
                Assert.Contains("replay batch size 5 does not split evenly over 2 ranks", e.Message);
                Assert.Contains("replay_ratio", e.Message);
            }
        });
    }
}
