using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>The per-task learning-rate decay against rates written out by hand.</summary>
public class LearningRateScheduleTests
{
    [Fact]
    public void WithoutDecayTheRateIsConstant()
    {
        var h = new Hyperparameters { LearningRate = 3e-3 };
        Assert.All(Enumerable.Range(1, 500), s => Assert.Equal(3e-3, LearningRateSchedule.At(h, s, 500)));
    }

    [Fact]
    public void TheLastUpdatesOfEachTaskFallLinearly()
    {
        // 10 updates, fraction 0.3: the last three are lr·3/3, lr·2/3, lr·1/3
        var h = new Hyperparameters { LearningRate = 0.3, LearningRateDecayFraction = 0.3 };
        double[] expected = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.1];
        for (var s = 1; s <= 10; s++)
        {
            Assert.Equal(expected[s - 1], LearningRateSchedule.At(h, s, 10), 15);
        }
    }

    [Fact]
    public void AFractionOfOneDecaysOverTheWholeTask()
    {
        var h = new Hyperparameters { LearningRate = 1.0, LearningRateDecayFraction = 1.0 };
        Assert.Equal([1.0, 0.75, 0.5, 0.25], Enumerable.Range(1, 4).Select(s => LearningRateSchedule.At(h, s, 4)));
    }

    [Fact]
    public void FiveHundredUpdatesAtFractionPointThreeDecayOverTheLast150()
    {
        // round(0.001·500) = 0 → one decay step, which is the full rate
        Assert.Equal(2.0, LearningRateSchedule.At(new Hyperparameters { LearningRate = 2.0, LearningRateDecayFraction = 0.001 }, 500, 500));
        // 0.3 of 500 updates = 150: update 351 has the full rate, update 500 lr/150
        var h = new Hyperparameters { LearningRate = 3e-3, LearningRateDecayFraction = 0.3 };
        Assert.Equal(3e-3, LearningRateSchedule.At(h, 351, 500));
        Assert.Equal(3e-3 * 149 / 150, LearningRateSchedule.At(h, 352, 500));
        Assert.Equal(3e-3 / 150, LearningRateSchedule.At(h, 500, 500));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(11, 10)]
    public void UpdatesOutsideTheTaskAreRefused(int step, int steps)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(new Hyperparameters(), step, steps));
    }
}
