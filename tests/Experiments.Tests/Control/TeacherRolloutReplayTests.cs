using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Control;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class TeacherRolloutReplayTests
{
    private static readonly ControlTask[] Tasks = [ControlTask.HandlePressSide, ControlTask.WindowClose];

    [Fact]
    public void PoolComesFromTeacherRolloutsInEachOldTasksEnvironmentWithoutReadingTaskData()
    {
        var store = new ParameterStore();
        var model = ModelPresets.Create("policy-tiny", store);
        store.Allocate(3);
        // every task's data is closed from the start: building the pool must not read any of it
        var closed = Tasks.Select(t =>
        {
            var data = new GuardedTaskData(new InMemoryTaskData(t.ToName(), new float[32], [8, 4], new float[234], [6, 39], 1, DType.F32, Device.Cpu));
            data.Close();
            return (ITaskData)data;
        }).ToList();
        const int perTask = 256;
        var hyper = new Hyperparameters { BatchSize = 8, ReplayPoolPerTask = perTask, ReplayDdimSteps = 2, ReplayGenerationBatch = 2 };
        var settings = new ControlSettings { ReplayRolloutsPerTask = 2 };
        var replay = new TeacherRolloutReplay(Tasks, settings, SilentProgress.Instance);
        var ctx = new ContinualContext(model, NoiseSchedule.Linear(), new TaskStream("closed", closed), hyper, replay, seed: 11);

        var pool = replay.Build(ctx, new FrozenWeights(store), lastTask: 1);

        Assert.Equal(2 * perTask, pool.Count);
        Assert.Equal([2 * perTask, 32], pool.Samples.Shape);
        Assert.Equal([2 * perTask, 234], pool.Conditions!.Shape);
        Assert.All(closed, t => Assert.Equal(0, ((GuardedTaskData)t).ReadsAfterClose));
        var samples = pool.Samples.ToFloatArray();
        Assert.All(samples, v => Assert.InRange(v, -1f, 1f));

        // an untrained teacher never succeeds, so each task falls back to all windows: 2 rollouts × 100 queries
        Assert.Equal(2, replay.LastBuild.Count);
        foreach (var stats in replay.LastBuild)
        {
            Assert.Equal((2, 0, 200, false, perTask), (stats.Rollouts, stats.Successes, stats.WindowsAvailable, stats.FromSuccessfulOnly, stats.WindowsKept));
        }

        // 256 ≥ 200 windows: every window is in the pool, including each rollout's first query, whose history is six
        // copies of the normalised reset observation of that task's environment at that rollout's seed
        var conditions = pool.Conditions.ToFloatArray();
        for (var task = 0; task < Tasks.Length; task++)
        {
            using var env = new ManipulationEnv(Tasks[task]);
            for (var r = 0; r < 2; r++)
            {
                var seed = TeacherRolloutReplay.FirstSeed + 1 * settings.ReplayRolloutsPerTask + r;
                var reset = env.Reset(seed);
                var expected = new float[6 * 39];
                ObservationNormalizer.MetaWorldBounds.NormalizeHistory([.. Enumerable.Repeat(reset, 6).SelectMany(o => o)], expected);
                var found = Enumerable.Range(task * perTask, perTask).Count(row => conditions.AsSpan(row * 234, 234).SequenceEqual(expected));
                Assert.True(found >= 1, $"{Tasks[task].ToName()} seed {seed}: the rollout's first history is not in the task's part of the pool");
                var otherTask = Enumerable.Range((1 - task) * perTask, perTask).Count(row => conditions.AsSpan(row * 234, 234).SequenceEqual(expected));
                Assert.Equal(0, otherTask);
            }
        }
    }
}
