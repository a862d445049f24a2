using NativeTrustRegion.Control;
using NativeTrustRegion.Experiments.Control;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class ObservationNormalizerTests
{
    private static readonly ObservationNormalizer Map = ObservationNormalizer.MetaWorldBounds;

    [Theory]
    [InlineData(ObservationLayout.HandPosition, -0.525, 0.525)]
    [InlineData(ObservationLayout.HandPosition + 1, 0.348, 1.025)]
    [InlineData(ObservationLayout.HandPosition + 2, -0.0525, 0.7)]
    [InlineData(ObservationLayout.GripperOpening, 0.0, 1.0)]
    [InlineData(ObservationLayout.FirstObjectPosition + 1, 0.348, 1.025)]
    [InlineData(ObservationLayout.SecondObjectPosition + 2, -0.0525, 0.7)]
    [InlineData(ObservationLayout.PreviousFrame + ObservationLayout.HandPosition, -0.525, 0.525)]
    [InlineData(ObservationLayout.PreviousFrame + ObservationLayout.GripperOpening, 0.0, 1.0)]
    [InlineData(ObservationLayout.PreviousFrame + ObservationLayout.SecondObjectPosition + 1, 0.348, 1.025)]
    [InlineData(ObservationLayout.Goal + 1, 0.348, 1.025)]
    public void BoxEdgesMapToMinusOneAndOne(int index, double low, double high)
    {
        Assert.Equal(-1f, Map.Normalize(index, (float)low), 5);
        Assert.Equal(1f, Map.Normalize(index, (float)high), 5);
    }

    [Theory]
    [InlineData(ObservationLayout.FirstObjectQuaternion)]
    [InlineData(ObservationLayout.SecondObjectQuaternion + 3)]
    [InlineData(ObservationLayout.PreviousFrame + ObservationLayout.FirstObjectQuaternion + 2)]
    public void QuaternionComponentsPassUnchanged(int index)
    {
        Assert.Equal(0.3f, Map.Normalize(index, 0.3f), 6);
        Assert.Equal(-1f, Map.Normalize(index, -1f), 6);
    }

    [Fact]
    public void HistoriesAreNormalisedPerObservation()
    {
        var history = new float[2 * ObservationLayout.Size];
        history[ObservationLayout.Size + ObservationLayout.HandPosition + 1] = 1.025f;
        var normalised = new float[history.Length];
        Map.NormalizeHistory(history, normalised);
        Assert.Equal(1f, normalised[ObservationLayout.Size + 1], 5);
        Assert.Equal(Map.Normalize(1, 0f), normalised[1]);
        Assert.Throws<ArgumentException>(() => Map.NormalizeHistory(new float[40], new float[40]));
    }
}
