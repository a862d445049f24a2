namespace NativeTrustRegion.Control.Tests;

public sealed class ActionClippingTests
{
    [Fact]
    public void ActionsOutsideTheUnitBoxBehaveExactlyLikeTheirClippedValues()
    {
        float[][] wild = [[3f, -2f, 5f, 7f], [-9f, 0.5f, -1.5f, -4f], [0.25f, 10f, -10f, 1.01f]];
        float[][] clipped = [[1f, -1f, 1f, 1f], [-1f, 0.5f, -1f, -1f], [0.25f, 1f, -1f, 1f]];
        using var a = new ManipulationEnv(ControlTask.Push);
        using var b = new ManipulationEnv(ControlTask.Push);
        a.Reset(12);
        b.Reset(12);

        for (int repeat = 0; repeat < 10; repeat++)
        {
            for (int i = 0; i < wild.Length; i++)
            {
                float[] fromWild = a.Step(wild[i]).Observation;
                float[] fromClipped = b.Step(clipped[i]).Observation;
                Assert.Equal(fromClipped, fromWild);
            }
        }
    }

    [Fact]
    public void HandCommandMovesOneCentimetrePerStepAndStaysInsideTheHandBox()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        env.Reset(0);
        var start = env.MocapTarget;

        env.Step([1f, 0f, 0f, 0f]);
        Assert.Equal(start.X + 0.01, env.MocapTarget.X, 12);

        for (int step = 0; step < 80; step++)
        {
            env.Step([1f, 1f, -1f, 0f]);
        }
        (var low, var high) = env.HandBounds;
        Assert.Equal(high.X, env.MocapTarget.X, 12);
        Assert.Equal(high.Y, env.MocapTarget.Y, 12);
        Assert.Equal(low.Z, env.MocapTarget.Z, 12);
    }

    [Fact]
    public void StepRejectsWrongSizedActionsAndStepsAfterTheHorizon()
    {
        using var env = new ManipulationEnv(ControlTask.WindowClose);
        Assert.Throws<InvalidOperationException>(() => env.Step([0f, 0f, 0f, 0f]));
        env.Reset(0);
        Assert.Throws<ArgumentException>(() => env.Step([0f, 0f, 0f]));
        Assert.Throws<ArgumentException>(() => env.Step([float.NaN, 0f, 0f, 0f]));

        StepResult last = default;
        for (int step = 0; step < ManipulationEnv.MaxEpisodeSteps; step++)
        {
            last = env.Step([0f, 0f, 0f, 0f]);
        }
        Assert.True(last.HorizonReached);
        Assert.Equal(200, env.StepCount);
        var error = Assert.Throws<InvalidOperationException>(() => env.Step([0f, 0f, 0f, 0f]));
        Assert.Contains("200-step horizon", error.Message);
    }
}
