namespace NativeTrustRegion.Control.Tests;

public sealed class EnvironmentDeterminismTests
{
    [Theory]
    [InlineData("push")]
    [InlineData("hammer")]
    [InlineData("stick-pull")]
    public void SameSeedAndActionsGiveBitIdenticalObservationSequences(string taskName)
    {
        ControlTask task = ControlTaskNames.Parse(taskName);
        float[][] actions = RandomActions(seed: 11, count: 120);

        List<float[]> first = Rollout(task, seed: 5, actions);
        List<float[]> second = Rollout(task, seed: 5, actions);

        Assert.Equal(first.Count, second.Count);
        for (int t = 0; t < first.Count; t++)
        {
            Assert.Equal(BitPattern(first[t]), BitPattern(second[t]));
        }
    }

    [Fact]
    public void ResetRestoresTheSameEpisodeAfterAnotherSeedRanInTheSameEnvironment()
    {
        float[][] actions = RandomActions(seed: 3, count: 60);
        using var env = new ManipulationEnv(ControlTask.FaucetClose);

        List<float[]> before = Rollout(env, seed: 9, actions);
        Rollout(env, seed: 10, actions);
        List<float[]> after = Rollout(env, seed: 9, actions);

        for (int t = 0; t < before.Count; t++)
        {
            Assert.Equal(BitPattern(before[t]), BitPattern(after[t]));
        }
    }

    [Fact]
    public void DifferentSeedsPlaceObjectsDifferently()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        float[] a = env.Reset(1);
        float[] b = env.Reset(2);

        Assert.NotEqual(a[ObservationLayout.FirstObjectPosition], b[ObservationLayout.FirstObjectPosition]);
        Assert.NotEqual(a[ObservationLayout.Goal], b[ObservationLayout.Goal]);
    }

    private static List<float[]> Rollout(ControlTask task, int seed, float[][] actions)
    {
        using var env = new ManipulationEnv(task);
        return Rollout(env, seed, actions);
    }

    private static List<float[]> Rollout(ManipulationEnv env, int seed, float[][] actions)
    {
        var observations = new List<float[]> { env.Reset(seed) };
        foreach (float[] action in actions)
        {
            observations.Add(env.Step(action).Observation);
        }
        return observations;
    }

    private static float[][] RandomActions(ulong seed, int count)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, 4).Select(_ => (float)random.Uniform(-1, 1)).ToArray())
            .ToArray();
    }

    private static int[] BitPattern(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
