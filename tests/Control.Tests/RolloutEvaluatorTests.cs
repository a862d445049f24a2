using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Control.Experts;

namespace NativeTrustRegion.Control.Tests;

public sealed class RolloutEvaluatorTests
{
    [Fact]
    public void HistoryPolicyGetsPaddedSixFrameHistoriesAndChunkedActionsAreExecuted()
    {
        ScriptedExpert expert = ScriptedExpert.Create(ControlTask.WindowClose);
        var evaluator = new RolloutEvaluator(ControlTask.WindowClose, observationHorizon: 6);
        var sizes = new HashSet<int>();
        bool firstQueryPadded = false;
        int queries = 0;

        RolloutReport report = evaluator.Evaluate(history =>
        {
            sizes.Add(history.Length);
            if (queries++ == 0)
            {
                firstQueryPadded = Enumerable.Range(1, 5).All(k => history.AsSpan(k * 39, 39).SequenceEqual(history.AsSpan(0, 39)));
            }
            float[] action = expert.Act(history.AsSpan(5 * 39, 39));
            return [.. action, .. action];
        }, episodes: 3, firstSeed: 40);

        Assert.Equal([6 * 39], sizes);
        Assert.True(firstQueryPadded);
        Assert.Equal(1.0, report.SuccessRate);
        Assert.Equal([40, 41, 42], report.Episodes.Select(e => e.Seed));
        int steps = report.Episodes.Sum(e => e.Steps);
        Assert.InRange(queries, steps / 2, steps / 2 + 3);
    }

    [Fact]
    public void IdlePolicyNeverSucceedsAndRunsTheFullHorizon()
    {
        var evaluator = new RolloutEvaluator(ControlTask.ShelfPlace);

        RolloutReport report = evaluator.Evaluate(_ => new float[4], episodes: 2);

        Assert.Equal(0.0, report.SuccessRate);
        Assert.All(report.Episodes, e => Assert.Equal(ManipulationEnv.MaxEpisodeSteps, e.Steps));
    }

    [Fact]
    public void PolicyReturningAPartialActionIsRejected()
    {
        var evaluator = new RolloutEvaluator(ControlTask.Push);

        var error = Assert.Throws<InvalidOperationException>(() => evaluator.Evaluate(_ => new float[6], episodes: 1));

        Assert.Contains("k × 4", error.Message);
    }
}
