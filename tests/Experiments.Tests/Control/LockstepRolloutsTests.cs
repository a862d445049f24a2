using NativeTrustRegion.Control;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class LockstepRolloutsTests
{
    private static DiffusionPolicy UntrainedPolicy()
    {
        var store = new ParameterStore();
        var model = ModelPresets.Create("policy-tiny", store);
        store.Allocate(5);
        return new DiffusionPolicy(model, NoiseSchedule.Linear(), ddimSteps: 2);
    }

    [Fact]
    public void EpisodesDoNotDependOnHowManyRunInLockstep()
    {
        var policy = UntrainedPolicy();
        int[] seeds = [1_000_000, 1_000_001, 1_000_002];
        var one = new LockstepRollouts(ControlTask.WindowClose, policy, actionChunk: 2, parallel: 1).Run(seeds, noiseSeed: 9, recordWindows: true);
        var three = new LockstepRollouts(ControlTask.WindowClose, policy, actionChunk: 2, parallel: 3).Run(seeds, noiseSeed: 9, recordWindows: true);

        Assert.Equal(seeds, one.Outcomes.Select(o => o.Seed));
        Assert.Equal(one.Outcomes, three.Outcomes);
        // an untrained policy fails: 200 steps = 100 queries of 2 actions
        Assert.All(one.Outcomes, o => Assert.Equal(200, o.Steps));
        Assert.All(one.Windows!, w => Assert.Equal(100, w.Count));
        // the same noise and observations, up to the rounding of batched CPU kernels (rows of different batch sizes; measured ≤ 2e-5)
        for (var e = 0; e < seeds.Length; e++)
        {
            Assert.Equal(one.Windows![e].Histories.AsSpan(0, 234), three.Windows![e].Histories.AsSpan(0, 234));
            var history = one.Windows[e].Histories.Zip(three.Windows[e].Histories, (a, b) => Math.Abs(a - b)).Max();
            var actions = one.Windows[e].Actions.Zip(three.Windows[e].Actions, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(history < 1e-3 && actions < 1e-3, $"episode {e}: histories differ by {history:E2}, actions by {actions:E2}");
        }
    }

    [Fact]
    public void ChunkPastTheSequenceAndNonPolicyModelsAreRejected()
    {
        var policy = UntrainedPolicy();
        // sequence 8, executed from position 5: at most 3 actions per query
        Assert.Throws<ArgumentException>(() => new LockstepRollouts(ControlTask.Push, policy, actionChunk: 4, parallel: 1));
        var imageStore = new ParameterStore();
        var image = ModelPresets.Create("image-tiny", imageStore);
        var error = Assert.Throws<ArgumentException>(() => new DiffusionPolicy(image, NoiseSchedule.Linear(), 2));
        Assert.Contains("policy", error.Message);
    }
}
