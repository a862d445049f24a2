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
        var replay = new MethodHarness(Hyper);
        OnRanks(2, (r, collective) =>
        {
            if (r == 0)
            {
                replay.Context.Collective = collective;
                var e = Assert.Throws<NotSupportedException>(() => new TrustRegion().Step(replay.Context, 0, 1));
                Assert.Contains("finetune and ewc only", e.Message);
            }
        });
    }
}
