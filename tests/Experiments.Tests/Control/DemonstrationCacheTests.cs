using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Experiments.Control;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class DemonstrationCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-demos-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CollectsOnceThenServesPrefixesAndRecollectsWhenTooFew()
    {
        var cache = new DemonstrationCache(_dir);
        var messages = new List<string>();
        var five = cache.Load(ControlTask.WindowClose, 5, messages.Add);
        Assert.Equal([0, 1, 2, 3, 4], five.Episodes.Select(e => e.Seed));
        Assert.Single(messages);
        var written = File.GetLastWriteTimeUtc(cache.PathOf(ControlTask.WindowClose));

        var three = cache.Load(ControlTask.WindowClose, 3, messages.Add);
        Assert.Single(messages);
        Assert.Equal(five.Episodes.Take(3).Select(e => e.Actions), three.Episodes.Select(e => e.Actions));
        Assert.Equal(written, File.GetLastWriteTimeUtc(cache.PathOf(ControlTask.WindowClose)));

        var seven = cache.Load(ControlTask.WindowClose, 7, messages.Add);
        Assert.Equal(2, messages.Count);
        Assert.Equal(7, DemonstrationFile.Read(cache.PathOf(ControlTask.WindowClose)).Episodes.Count);
        Assert.Equal(five.Episodes.Select(e => e.Observations), seven.Episodes.Take(5).Select(e => e.Observations));
    }

    [Fact]
    public void FileOfAnotherTaskIsRejected()
    {
        var cache = new DemonstrationCache(_dir);
        var set = new DemonstrationCollector(ControlTask.HandlePressSide).Collect(1);
        DemonstrationFile.Write(cache.PathOf(ControlTask.WindowClose), set);
        var error = Assert.Throws<InvalidDataException>(() => cache.Load(ControlTask.WindowClose, 1));
        Assert.Contains("handle-press-side", error.Message);
    }
}
