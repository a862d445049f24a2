using NativeTrustRegion.Control.Evaluation;

namespace NativeTrustRegion.Control.Tests;

public sealed class ExpertSuccessTests
{
    private const int Episodes = 50;
    private const double RequiredSuccessRate = 0.9;

    [Theory]
    [InlineData("hammer")]
    [InlineData("push-wall")]
    [InlineData("faucet-close")]
    [InlineData("push-back")]
    [InlineData("stick-pull")]
    [InlineData("handle-press-side")]
    [InlineData("push")]
    [InlineData("shelf-place")]
    [InlineData("window-close")]
    [InlineData("peg-unplug-side")]
    public void ExpertSucceedsOnAtLeastNinetyPercentOfFiftySeededEpisodes(string taskName)
    {
        ControlTask task = ControlTaskNames.Parse(taskName);

        RolloutReport report = ExpertEvaluation.Run(task, Episodes, firstSeed: 0);

        Assert.Equal(Episodes, report.Episodes.Count);
        Assert.Equal(Enumerable.Range(0, Episodes), report.Episodes.Select(e => e.Seed));
        string failed = string.Join(", ", report.Episodes.Where(e => !e.Success).Select(e => e.Seed));
        Assert.True(report.SuccessRate >= RequiredSuccessRate,
            $"{taskName}: expert success {report.SuccessRate:F2} < {RequiredSuccessRate}; failed seeds: {failed}");
        Assert.All(report.Episodes.Where(e => e.Success), e => Assert.InRange(e.Steps, 1, ManipulationEnv.MaxEpisodeSteps));
    }
}
