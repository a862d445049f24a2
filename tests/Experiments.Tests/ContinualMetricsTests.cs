using NativeTrustRegion.Experiments.Metrics;

namespace NativeTrustRegion.Experiments.Tests;

public class ContinualMetricsTests
{
    private static readonly MetricDefinition Fid = new("FID", MetricDirection.LowerIsBetter, "test");
    private static readonly MetricDefinition Success = new("success rate", MetricDirection.HigherIsBetter, "test");

    [Fact]
    public void AverageAndForgettingFollowTheDefinitions()
    {
        var m = new TaskMetricMatrix(3, Fid);
        m[0, 0] = 10;
        m[1, 0] = 14; m[1, 1] = 12;
        m[2, 0] = 20; m[2, 1] = 13; m[2, 2] = 11;
        Assert.Equal(2, m.LastCompleteRow);
        Assert.Equal((20 + 13 + 11) / 3.0, m.AverageAfter(2), 12);
        Assert.Equal(10, m.ForgettingOf(0, 2), 12);
        Assert.Equal(1, m.ForgettingOf(1, 2), 12);
        Assert.Equal(11.0 / 3, m.AverageForgetting(2, includeLast: true), 12);
        Assert.Equal(11.0 / 2, m.AverageForgetting(2, includeLast: false), 12);
        var s = new TaskMetricMatrix(2, Success);
        s[0, 0] = 0.9;
        s[1, 0] = 0.3; s[1, 1] = 0.8;
        Assert.Equal(0.6, s.ForgettingOf(0, 1), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => s[0, 1] = 1);
    }

    [Fact]
    public void ReconvergenceCountsStepsToTheThreshold()
    {
        // task 0 learned at value 1.0; after the switch to task 1 it spikes then recovers
        var curve = new ProbeCurve(0);
        curve.Add(new ProbePoint(90, 0, 90, 1.2));
        curve.Add(new ProbePoint(100, 0, 100, 1.0));
        double[] during1 = [2.0, 1.5, 1.25, 1.15, 1.05];
        int[] steps = [1, 2, 5, 10, 20];
        for (var i = 0; i < steps.Length; i++)
        {
            curve.Add(new ProbePoint(100 + steps[i], 1, steps[i], during1[i]));
        }
        curve.Add(new ProbePoint(201, 2, 1, 3.0));
        curve.Add(new ProbePoint(210, 2, 10, 2.0));
        Assert.Equal(1.0, curve.ValueWhenLearned());
        var table = Reconvergence.Table(curve, Fid, 3);
        Assert.Equal(["+10%", "+20%", "+30%"], table.Thresholds);
        Assert.Equal([1, 2], table.LaterTasks);
        Assert.Equal([20, null], table.Cells[0]);
        Assert.Equal([10, null], table.Cells[1]);
        Assert.Equal([5, null], table.Cells[2]);
    }

    [Fact]
    public void SuccessRateThresholdsUseFractionsOfTheInitialValue()
    {
        var curve = new ProbeCurve(0);
        curve.Add(new ProbePoint(50, 0, 50, 0.8));
        curve.Add(new ProbePoint(51, 1, 1, 0.5));
        curve.Add(new ProbePoint(54, 1, 4, 0.70));
        curve.Add(new ProbePoint(58, 1, 8, 0.795));
        var table = Reconvergence.Table(curve, Success, 2);
        Assert.Equal(["99%", "90%", "80%"], table.Thresholds);
        Assert.Equal(8, table.Cells[0][0]);
        Assert.Equal(8, table.Cells[1][0]);
        Assert.Equal(4, table.Cells[2][0]);
    }

    [Fact]
    public void ProbeScheduleIsDenseThenSparseAndEndsAtTheLastStep()
    {
        var s = new ProbeSchedule(200, denseSteps: 10, growth: 1.25);
        Assert.True(Enumerable.Range(1, 10).All(s.IsProbeStep));
        Assert.True(s.IsProbeStep(200));
        var gaps = s.Steps.Zip(s.Steps.Skip(1), (a, b) => b - a).ToArray();
        Assert.True(gaps.Last() > gaps.First());
        Assert.True(s.Steps.Count < 40);
    }

    [Fact]
    public void StandardErrorOfTheMean()
    {
        var s = SeedStatistics.Of([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(1.6666666666666667 / 4), s.StandardError, 12);
        Assert.Equal("2.50 ± 0.65", s.Format());
        Assert.Equal("7.00 (n=1)", SeedStatistics.Of([7.0]).Format());
    }

    [Fact]
    public void CurvesOfSeedsAverageOnTheSharedGrid()
    {
        var a = new ProbeCurve(0);
        var b = new ProbeCurve(0);
        a.Add(new ProbePoint(1, 0, 1, 2));
        b.Add(new ProbePoint(1, 0, 1, 4));
        a.Add(new ProbePoint(2, 0, 2, 1));
        var avg = ProbeCurve.Average([a, b]);
        Assert.Single(avg.Points);
        Assert.Equal(3, avg.Points[0].Value);
    }
}
