using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Control;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// Generative replay for the policy that never reads an old task's demonstrations: at the end of task k, the frozen
/// teacher (the weights after task k) is rolled out <c>ReplayRolloutsPerTask</c> times in the environment of every
/// task 0 … k (DDIM with <c>ReplayDdimSteps</c>, <c>ReplayGenerationBatch</c> rollouts in lockstep, the evaluation's
/// chunk execution). Every policy query is a replay
/// window: its normalised observation history is the condition and the action sequence the teacher sampled for it is
/// x₀. Windows of successful rollouts are kept (or of all rollouts, by setting, and when none succeeded), and
/// <c>ReplayPoolPerTask</c> of them are drawn per task (without replacement when there are enough). The pool is
/// rebuilt from the newest teacher after every task, like the image domain's class-conditional replay; it touches
/// only environments and weights, never <c>ctx.Stream</c>.
/// <para>Rollout seeds start at <see cref="FirstSeed"/> (away from the demonstration seeds 0 … and the evaluation
/// seeds 1,000,000 …); noise and window draws derive from the run seed, so the pool is reproducible.</para>
/// </summary>
public sealed class TeacherRolloutReplay : IReplayGenerator
{
    public const int FirstSeed = 2_000_000;

    private readonly IReadOnlyList<ControlTask> _tasks;
    private readonly ControlSettings _settings;
    private readonly IRunProgress _progress;

    public TeacherRolloutReplay(IReadOnlyList<ControlTask> tasks, ControlSettings settings, IRunProgress progress)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ReplayRolloutsPerTask, 1);
        _tasks = tasks;
        _settings = settings;
        _progress = progress;
    }

    /// <summary>Per old task, how the last pool was made.</summary>
    public IReadOnlyList<ReplayTaskStatistics> LastBuild { get; private set; } = [];

    public ReplayPool Build(ContinualContext ctx, FrozenWeights teacher, int lastTask)
    {
        var h = ctx.Hyper;
        var perTask = h.ReplayPoolPerTask;
        ArgumentOutOfRangeException.ThrowIfLessThan(perTask, 1);
        var policy = new DiffusionPolicy(ctx.Model, ctx.Schedule, h.ReplayDdimSteps);
        var store = ctx.Parameters;
        var tasks = lastTask + 1;
        var samples = Tensor.EmptyUnscoped([tasks * perTask, policy.SequenceLength, ObservationLayout.ActionSize], store.DType, store.Device);
        var conditions = Tensor.EmptyUnscoped([tasks * perTask, policy.ObservationSteps, ObservationLayout.Size], store.DType, store.Device);
        var statistics = new List<ReplayTaskStatistics>();
        var rollouts = _settings.ReplayRolloutsPerTask;
        for (var task = 0; task < tasks; task++)
        {
            _progress.Message($"replay: {rollouts} teacher rollouts in {_tasks[task].ToName()}");
            var seeds = Enumerable.Range(FirstSeed + lastTask * rollouts, rollouts).ToArray();
            var noiseSeed = Generator.Derive(ctx.Seed, 0x7E1A_0000UL + (ulong)(lastTask * 64 + task)).Seed;
            RolloutBatchResult result;
            using (store.Bind(teacher.Weights))
            {
                result = new LockstepRollouts(_tasks[task], policy, _settings.ActionChunk, Math.Max(1, h.ReplayGenerationBatch))
                    .Run(seeds, noiseSeed, recordWindows: true);
            }
            var successfulOnly = _settings.ReplaySuccessfulRolloutsOnly && result.Successes > 0;
            var eligible = result.Windows!.Where(w => w.Success || !successfulOnly).ToList();
            var available = eligible.Sum(w => w.Count);
            var picks = Pick(available, perTask, Generator.Derive(ctx.Seed, 0x7E1B_0000UL + (ulong)(lastTask * 64 + task)));
            var x = new float[perTask * policy.SequenceSize];
            var c = new float[perTask * policy.HistorySize];
            var (episodeOf, indexIn) = Locate(eligible);
            for (var i = 0; i < perTask; i++)
            {
                var w = eligible[episodeOf[picks[i]]];
                var k = indexIn[picks[i]];
                w.Actions.AsSpan(k * policy.SequenceSize, policy.SequenceSize).CopyTo(x.AsSpan(i * policy.SequenceSize));
                w.Histories.AsSpan(k * policy.HistorySize, policy.HistorySize).CopyTo(c.AsSpan(i * policy.HistorySize));
            }
            using (TensorScope.Begin())
            {
                samples.Slice(0, task * perTask, perTask).CopyFrom(Tensor.FromSpan((ReadOnlySpan<float>)x, [perTask, policy.SequenceLength, ObservationLayout.ActionSize], store.DType, store.Device));
                conditions.Slice(0, task * perTask, perTask).CopyFrom(Tensor.FromSpan((ReadOnlySpan<float>)c, [perTask, policy.ObservationSteps, ObservationLayout.Size], store.DType, store.Device));
            }
            statistics.Add(new ReplayTaskStatistics(task, rollouts, result.Successes, available, successfulOnly, perTask));
            _progress.Message($"replay: teacher success on {_tasks[task].ToName()} {result.Successes}/{rollouts}, {available} windows, {perTask} kept");
        }
        LastBuild = statistics;
        return new ReplayPool(samples, conditions);
    }

    /// <summary><paramref name="count"/> indices into [0, available): without replacement when available ≥ count, else every index and then draws with replacement.</summary>
    private static int[] Pick(int available, int count, Generator generator)
    {
        if (available == 0)
        {
            throw new InvalidOperationException("the teacher's replay rollouts produced no policy queries");
        }
        var order = Enumerable.Range(0, available).ToArray();
        generator.Shuffle<int>(order);
        if (available >= count)
        {
            return order[..count];
        }
        var picks = new int[count];
        order.CopyTo(picks, 0);
        for (var i = available; i < count; i++)
        {
            picks[i] = generator.NextInt(available);
        }
        return picks;
    }

    private static (int[] Episode, int[] Index) Locate(IReadOnlyList<RolloutWindows> windows)
    {
        var total = windows.Sum(w => w.Count);
        var episode = new int[total];
        var index = new int[total];
        var row = 0;
        for (var e = 0; e < windows.Count; e++)
        {
            for (var k = 0; k < windows[e].Count; k++)
            {
                episode[row] = e;
                index[row] = k;
                row++;
            }
        }
        return (episode, index);
    }
}
