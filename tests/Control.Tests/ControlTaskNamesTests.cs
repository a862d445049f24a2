using NativeTrustRegion.Engine;
namespace NativeTrustRegion.Control.Tests;

public sealed class ControlTaskNamesTests
{
    [Fact]
    public void Cw10OrderAndNamesMatchContinualWorld()
    {
        Assert.Equal(
            ["hammer", "push-wall", "faucet-close", "push-back", "stick-pull",
             "handle-press-side", "push", "shelf-place", "window-close", "peg-unplug-side"],
            ControlTaskNames.Cw10.Select(task => task.ToName()));
    }

    [Fact]
    public void ParsingAcceptsMetaWorldVersionSuffixesAndRejectsUnknownNames()
    {
        Assert.Equal(ControlTask.WindowClose, ControlTaskNames.Parse("window-close-v2"));
        Assert.Equal(ControlTask.PegUnplugSide, ControlTaskNames.Parse(" Peg-Unplug-Side-v1 "));

        var error = Assert.Throws<UsageException>(() => ControlTaskNames.Parse("door-open"));
        Assert.Contains("door-open", error.Message);
        Assert.Contains("push-wall", error.Message);
    }
}
