using NativeTrustRegion.Control.Demonstrations;

namespace NativeTrustRegion.Control.Tests;

public sealed class DemonstrationFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ntr-demos-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void CollectedDemonstrationsRoundTripExactly()
    {
        var collector = new DemonstrationCollector(ControlTask.PegUnplugSide);
        DemonstrationSet written = collector.Collect(episodes: 4, firstSeed: 20);
        string path = Path.Combine(_folder, DemonstrationFile.FileName(ControlTask.PegUnplugSide));

        DemonstrationFile.Write(path, written);
        DemonstrationSet read = DemonstrationFile.Read(path);

        Assert.Equal("peg-unplug-side.ntrdemo", Path.GetFileName(path));
        Assert.Equal(ControlTask.PegUnplugSide, read.Task);
        Assert.Equal(4, read.Episodes.Count);
        Assert.Equal([20, 21, 22, 23], read.Episodes.Select(e => e.Seed));
        Assert.All(read.Episodes, e => Assert.True(e.Success));
        for (int i = 0; i < written.Episodes.Count; i++)
        {
            Assert.Equal(written.Episodes[i].Observations, read.Episodes[i].Observations);
            Assert.Equal(written.Episodes[i].Actions, read.Episodes[i].Actions);
            Assert.InRange(read.Episodes[i].Length, 2, ManipulationEnv.MaxEpisodeSteps);
        }
        long expectedBytes = 8 + 16 + 8 + 2 + "peg-unplug-side".Length + 9 * 4 + 4 * written.TotalSteps * (39 + 4) + 32;
        Assert.Equal(expectedBytes, new FileInfo(path).Length);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void EpisodeRecordingStopsAtTheFirstSuccessAndMatchesAReplay()
    {
        DemonstrationSet set = new DemonstrationCollector(ControlTask.Push).Collect(episodes: 1, firstSeed: 3);
        DemonstrationEpisode episode = set.Episodes[0];

        using var env = new ManipulationEnv(ControlTask.Push);
        float[] observation = env.Reset(episode.Seed);
        bool success = false;
        for (int t = 0; t < episode.Length; t++)
        {
            Assert.Equal(episode.Observation(t).ToArray(), observation);
            Assert.False(success);
            StepResult result = env.Step(episode.Action(t));
            observation = result.Observation;
            success = result.Success;
        }
        Assert.True(success);
    }

    [Fact]
    public void FailedEpisodesAreKeptOnlyWhenAsked()
    {
        var keepAll = new DemonstrationCollector(ControlTask.Push) { SuccessfulOnly = false };
        DemonstrationSet set = keepAll.Collect(episodes: 2, firstSeed: 0);

        Assert.Equal(2, set.Episodes.Count);
        Assert.Equal(2, keepAll.Attempts);
    }

    [Fact]
    public void FlippedByteIsDetectedByTheChecksum()
    {
        string path = WriteSmallFile();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CorruptDemonstrationFileException>(() => DemonstrationFile.Read(path));

        Assert.Contains("checksum", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        string path = WriteSmallFile();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        Assert.Throws<CorruptDemonstrationFileException>(() => DemonstrationFile.Read(path));
        File.WriteAllBytes(path, bytes[..20]);
        var error = Assert.Throws<CorruptDemonstrationFileException>(() => DemonstrationFile.Read(path));
        Assert.Contains("fewer than a header", error.Message);
    }

    [Fact]
    public void FileWithoutTheMagicIsRejectedAsNotADemonstrationFile()
    {
        string path = Path.Combine(_folder, "other.ntrdemo");
        File.WriteAllBytes(path, new byte[200]);

        var error = Assert.Throws<CorruptDemonstrationFileException>(() => DemonstrationFile.Read(path));

        Assert.Contains("magic", error.Message);
    }

    private string WriteSmallFile()
    {
        var observations = Enumerable.Range(0, 3 * 39).Select(i => i * 0.5f).ToArray();
        var actions = Enumerable.Range(0, 3 * 4).Select(i => -i * 0.25f).ToArray();
        var set = new DemonstrationSet(ControlTask.Hammer, [new DemonstrationEpisode(7, true, observations, actions)]);
        string path = Path.Combine(_folder, DemonstrationFile.FileName(ControlTask.Hammer));
        DemonstrationFile.Write(path, set);
        DemonstrationSet read = DemonstrationFile.Read(path);
        Assert.Equal(observations, read.Episodes[0].Observations);
        Assert.Equal(actions, read.Episodes[0].Actions);
        return path;
    }
}
