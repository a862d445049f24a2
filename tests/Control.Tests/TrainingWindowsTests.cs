using NativeTrustRegion.Control.Demonstrations;

namespace NativeTrustRegion.Control.Tests;

public sealed class TrainingWindowsTests
{
    /// <summary>Episode whose observation t is filled with t + 100·episode and action t with −(t + 100·episode).</summary>
    private static DemonstrationEpisode LabelledEpisode(int episode, int length)
    {
        var observations = new float[length * 39];
        var actions = new float[length * 4];
        for (int t = 0; t < length; t++)
        {
            observations.AsSpan(t * 39, 39).Fill(t + 100 * episode);
            actions.AsSpan(t * 4, 4).Fill(-(t + 100 * episode));
        }
        return new DemonstrationEpisode(episode, true, observations, actions);
    }

    private static float[] Labels(float[] values, int width) =>
        Enumerable.Range(0, values.Length / width).Select(k => values[k * width]).ToArray();

    [Fact]
    public void WindowsFollowTheObservationHorizonSixSequenceEightLayoutWithEdgePadding()
    {
        var set = new DemonstrationSet(ControlTask.Push, [LabelledEpisode(0, 10), LabelledEpisode(1, 3)]);
        var windows = new TrainingWindows(set, observationHorizon: 6, sequenceLength: 8);

        Assert.Equal(13, windows.Count);
        Assert.Equal(6 * 39, windows.ObservationHistorySize);
        Assert.Equal(8 * 4, windows.ActionSequenceSize);
        Assert.Equal(5, windows.ExecutedActionOffset);

        var observations = new float[windows.ObservationHistorySize];
        var actions = new float[windows.ActionSequenceSize];

        windows.Fill(0, observations, actions);
        Assert.Equal([0, 0, 0, 0, 0, 0], Labels(observations, 39));
        Assert.Equal([0, 0, 0, 0, 0, 0, -1, -2], Labels(actions, 4));

        windows.Fill(7, observations, actions);
        Assert.Equal([2, 3, 4, 5, 6, 7], Labels(observations, 39));
        Assert.Equal([-2, -3, -4, -5, -6, -7, -8, -9], Labels(actions, 4));

        windows.Fill(9, observations, actions);
        Assert.Equal([4, 5, 6, 7, 8, 9], Labels(observations, 39));
        Assert.Equal([-4, -5, -6, -7, -8, -9, -9, -9], Labels(actions, 4));

        windows.Fill(11, observations, actions);
        Assert.Equal([100, 100, 100, 100, 100, 101], Labels(observations, 39));
        Assert.Equal([-100, -100, -100, -100, -100, -101, -102, -102], Labels(actions, 4));
    }

    [Fact]
    public void EnumerationMatchesIndexedFill()
    {
        var set = new DemonstrationSet(ControlTask.Push, [LabelledEpisode(0, 4), LabelledEpisode(1, 1), LabelledEpisode(2, 5)]);
        var windows = new TrainingWindows(set);
        var observations = new float[windows.ObservationHistorySize];
        var actions = new float[windows.ActionSequenceSize];

        List<TrainingWindow> all = windows.Enumerate().ToList();

        Assert.Equal(10, all.Count);
        for (int i = 0; i < all.Count; i++)
        {
            windows.Fill(i, observations, actions);
            Assert.Equal(observations, all[i].ObservationHistory);
            Assert.Equal(actions, all[i].Actions);
        }
        Assert.Equal((1, 0), (all[4].Episode, all[4].Step));
        Assert.Equal((2, 4), (all[9].Episode, all[9].Step));
    }
}
