using System.Security.Cryptography;
using System.Text;
using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests.Fuzz;

/// <summary>
/// Deterministic mutation fuzzing of every file parser a user can feed (not coverage-guided: see tools/fuzz for
/// that): thousands of seeded mutations of a valid file each, asserting that only the parser's documented exception
/// is ever thrown, that its message names the file, and that no case allocates more than a small multiple of the
/// input (a header claiming 2^60 bytes must not be believed). Crashes found are kept as regression cases below.
/// </summary>
public sealed class ParserMutationTests : IDisposable
{
    private const int Cases = 1000;

    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FilePath(string name) => Path.Combine(_dir, name);

    /// <summary>Runs <paramref name="parse"/> on the valid input and on <see cref="Cases"/> mutations of it.</summary>
    private static void Fuzz(byte[] valid, Action<byte[]> parse, Func<Exception, bool> documented, int cases = Cases)
    {
        parse(valid);
        var failures = new List<string>();
        for (int k = 0; k < cases && failures.Count < 10; k++)
        {
            byte[] input = ByteMutator.Mutate(valid, k);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                parse(input);
            }
            catch (Exception e) when (documented(e))
            {
            }
            catch (Exception e)
            {
                failures.Add($"case {k} ({input.Length} bytes): {e.GetType().FullName}: {e.Message}");
                continue;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > (32L << 20) + 64L * input.Length)
            {
                failures.Add($"case {k} ({input.Length} bytes): allocated {allocated} bytes");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static bool Names(Exception e, string source) => e.Message.Contains(source, StringComparison.Ordinal);

    internal static byte[] ValidSafeTensors(string path)
    {
        SafeTensorsFile.Write(path,
        [
            new SafeTensorsFile.Item("a.weight", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3])),
            new SafeTensorsFile.Item("b", Tensor.FromArray(new double[] { 0.5, -1 }, [2])),
        ], new Dictionary<string, string> { ["format"] = "test", ["note"] = "x" });
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void SafeTensorsReadRejectsEveryMutationWithTheFileAndReason()
    {
        string path = FilePath("weights.safetensors");
        byte[] valid = ValidSafeTensors(path);
        Fuzz(valid, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            SafeTensorsFile.ReadHeader(path);
            var file = SafeTensorsFile.Read(path);
            foreach (string name in file.Names)
            {
                _ = file.ReadFloats(name);
                _ = file.ReadDoubles(name);
            }
        }, e => e is SafeTensorsException && Names(e, path));
    }

    [Fact]
    public void RunCheckpointHeaderCheckRejectsEveryMutation()
    {
        string path = FilePath("latest.safetensors");
        SafeTensorsFile.Write(path,
        [
            new SafeTensorsFile.Item("optimizer.m", Tensor.FromArray(new float[] { 1, 2 }, [2])),
            new SafeTensorsFile.Item("optimizer.v", Tensor.FromArray(new float[] { 3, 4 }, [2])),
        ], new Dictionary<string, string> { ["format"] = "ntr-run-checkpoint/1", ["method"] = "ewc", ["run_state"] = "{}", ["optimizer.step"] = "3" });
        Fuzz(File.ReadAllBytes(path), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            RunCheckpoint.CheckHeader(path, "ewc");
        }, e => e is SafeTensorsException && Names(e, path));
    }

    private static byte[] ValidNpy()
    {
        var stream = new MemoryStream();
        NpyFile.Write(stream, NpyArray.FromBytes(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), 2, 3, 4));
        return stream.ToArray();
    }

    [Fact]
    public void NpyReadRejectsEveryMutationFromSeekableAndStreamingSources()
    {
        Fuzz(ValidNpy(), bytes =>
        {
            _ = NpyFile.Read(new MemoryStream(bytes), "fuzz.npy");
            _ = NpyFile.Read(new NonSeekableStream(bytes), "fuzz.npy");
        }, e => e is DatasetFormatException && Names(e, "fuzz.npy"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NpzReadRejectsEveryMutation(bool compressed)
    {
        var stream = new MemoryStream();
        NpzWriter.Write(stream,
        [
            new("data", NpyArray.FromBytes(Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray(), 4, 12)),
            new("labels", NpyArray.FromBytes([1, 2, 3, 4], 4)),
        ], compressed);
        Fuzz(stream.ToArray(), bytes =>
        {
            using var archive = NpzArchive.Open(new MemoryStream(bytes), "fuzz.npz");
            foreach (string name in archive.ArrayNames)
            {
                _ = archive.Read(name);
            }
        }, e => e is DatasetFormatException && Names(e, "fuzz.npz"), cases: 600);
    }

    [Fact]
    public void ImageCacheReadReportsEveryMutationAsAProblemNeverThrows()
    {
        string path = FilePath("images.ntrcache");
        var dataset = ImageDataset.FromBytes("fuzz", Enumerable.Range(0, 3 * 2 * 2 * 2).Select(i => (byte)i).ToArray(), [0, 1, 1], 2, 2, 2, 2, ["zero", "one"]);
        ImageCacheFile.Write(path, dataset, "fingerprint-1");
        Assert.True(ImageCacheFile.TryRead(path, "fingerprint-1", out _, out _));
        Fuzz(File.ReadAllBytes(path), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            if (ImageCacheFile.TryRead(path, "fingerprint-1", out var read, out string problem))
            {
                Assert.Equal(3, read!.Count);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(problem));
            }
        }, _ => false);
    }

    private static byte[] ValidDemonstrations(string path)
    {
        var episodes = new[] { 3, 1 }.Select((length, i) => new DemonstrationEpisode(i, i == 0,
            Enumerable.Range(0, length * ObservationLayout.Size).Select(v => v * 0.25f).ToArray(),
            Enumerable.Range(0, length * ObservationLayout.ActionSize).Select(v => -v * 0.5f).ToArray())).ToArray();
        DemonstrationFile.Write(path, new DemonstrationSet(ControlTask.PushWall, episodes));
        return File.ReadAllBytes(path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DemonstrationFileRejectsEveryMutation(bool fixChecksum)
    {
        // with the checksum recomputed the mutation reaches the header and table parsing behind it
        string path = FilePath("push-wall.ntrdemo");
        Fuzz(ValidDemonstrations(path), bytes =>
        {
            if (fixChecksum && bytes.Length >= 32)
            {
                SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
            }
            File.WriteAllBytes(path, bytes);
            _ = DemonstrationFile.Read(path);
        }, e => e is CorruptDemonstrationFileException && Names(e, path));
    }

    [Fact]
    public void MnistJsonRejectsEveryMutation()
    {
        var flat = string.Join(",", Enumerable.Range(0, 2 * 784).Select(i => (i % 7 * 37 % 256).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var nested = string.Join(",", Enumerable.Range(0, 2).Select(n => "[" + string.Join(",", Enumerable.Range(0, 784).Select(i => ((i + n) % 3 * 0.25).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]"));
        foreach (var json in new[] { $"{{\"data\":[{flat}],\"meta\":{{\"x\":[1,2]}}}}", $"{{\"data\":[{nested}, []]}}" })
        {
            Fuzz(Encoding.UTF8.GetBytes(json), bytes => _ = NpmImageJsonReader.Parse(bytes, "0.json", out _),
                e => e is DatasetFormatException && Names(e, "0.json"), cases: 300);
        }
    }

    [Fact]
    public void RunConfigRejectsEveryMutation()
    {
        var folder = new RunFolder(FilePath("run"));
        folder.WriteConfig(ExperimentPresets.Demo("ewc"));
        Fuzz(File.ReadAllBytes(folder.ConfigPath), bytes =>
        {
            File.WriteAllBytes(folder.ConfigPath, bytes);
            _ = folder.ReadConfig();
        }, e => e is InvalidDataException && Names(e, folder.ConfigPath), cases: 600);
    }

    [Fact]
    public void ComparisonPlanRejectsEveryMutation()
    {
        string dir = FilePath("comparison");
        new ComparisonPlan { Preset = "demo", Methods = ["ewc", "finetune"], Seeds = [1, 2], Directory = dir, StepsPerTask = 5 }.Save();
        string path = ComparisonPlan.PlanPath(dir);
        Fuzz(File.ReadAllBytes(path), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            _ = ComparisonPlan.Load(dir);
        }, e => e is InvalidDataException && Names(e, path), cases: 600);
    }

    [Fact]
    public void ResultsFileRejectsEveryMutation()
    {
        string path = FilePath("results.json");
        var result = new RunResult
        {
            Method = "ewc",
            Seed = 1,
            Preset = "demo",
            Metric = new MetricDefinition("FID", MetricDirection.LowerIsBetter, "test"),
            ProbeMetric = new MetricDefinition("FID", MetricDirection.LowerIsBetter, "test"),
            TaskNames = ["a", "b"],
            StepsPerTask = 3,
            Matrix = [[1.5, null], [2.5, 3.5]],
            Probes = [],
            WallSeconds = 1,
        };
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(result, ResultJson.Options));
        Fuzz(File.ReadAllBytes(path), bytes =>
        {
            File.WriteAllBytes(path, bytes);
            _ = ResultJson.Read(path);
        }, e => e is InvalidDataException && Names(e, path), cases: 600);
    }
}
