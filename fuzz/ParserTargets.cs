using System.Text;
using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Fuzz;

/// <summary>
/// One fuzz target per file parser: feeds the input to the parser and swallows only the parser's documented
/// exception (whose message must name the file). Anything else escapes and AFL++ records it as a crash.
/// Each target also writes its seed corpus (valid files made by the project's own writers).
/// </summary>
internal sealed record ParserTarget(string Name, Action<byte[], string> Parse, Func<string, byte[][]> Seeds);

internal static class ParserTargets
{
    public static readonly ParserTarget[] All =
    [
        new("safetensors", (bytes, dir) =>
        {
            string path = Path.Combine(dir, "input.safetensors");
            File.WriteAllBytes(path, bytes);
            Expect<SafeTensorsException>(path, () =>
            {
                SafeTensorsFile.ReadHeader(path);
                var file = SafeTensorsFile.Read(path);
                foreach (string name in file.Names)
                {
                    _ = file.ReadDoubles(name);
                }
            });
        }, dir =>
        {
            string path = Path.Combine(dir, "seed.safetensors");
            SafeTensorsFile.Write(path,
            [
                new SafeTensorsFile.Item("a.weight", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3])),
                new SafeTensorsFile.Item("b", Tensor.FromArray(new double[] { 0.5, -1 }, [2])),
            ], new Dictionary<string, string> { ["format"] = "ntr-run-checkpoint/1", ["method"] = "ewc" });
            return [File.ReadAllBytes(path)];
        }),
        new("npy", (bytes, _) =>
        {
            Expect<DatasetFormatException>("input.npy", () => NpyFile.Read(new MemoryStream(bytes), "input.npy"));
        }, _ =>
        {
            var stream = new MemoryStream();
            NpyFile.Write(stream, NpyArray.FromBytes(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), 2, 3, 4));
            return [stream.ToArray()];
        }),
        new("npz", (bytes, dir) =>
        {
            Expect<DatasetFormatException>("input.npz", () =>
            {
                using var archive = NpzArchive.Open(new MemoryStream(bytes), "input.npz");
                foreach (string name in archive.ArrayNames)
                {
                    _ = archive.Read(name);
                }
            });
        }, dir => new[] { false, true }.Select(compress =>
        {
            var stream = new MemoryStream();
            NpzWriter.Write(stream,
            [
                new KeyValuePair<string, NpyArray>("data", NpyArray.FromBytes(new byte[12], 3, 4)),
                new KeyValuePair<string, NpyArray>("labels", NpyArray.FromBytes([1, 2, 3], 3)),
            ], compress);
            return stream.ToArray();
        }).ToArray()),
        new("image-cache", (bytes, dir) =>
        {
            string path = Path.Combine(dir, "input.cache");
            File.WriteAllBytes(path, bytes);
            _ = ImageCacheFile.TryRead(path, "fingerprint", out _, out _); // never throws: a bad cache is rebuilt
        }, dir =>
        {
            string path = Path.Combine(dir, "seed.cache");
            ImageCacheFile.Write(path, ImageDataset.FromBytes("seed", new byte[16], [0, 1], 2, 2, 2, 2, ["a", "b"]), "fingerprint");
            return [File.ReadAllBytes(path)];
        }),
        new("ntrdemo", (bytes, dir) =>
        {
            string path = Path.Combine(dir, "input.ntrdemo");
            File.WriteAllBytes(path, bytes);
            Expect<CorruptDemonstrationFileException>(path, () => DemonstrationFile.Read(path));
        }, dir =>
        {
            string path = Path.Combine(dir, "seed.ntrdemo");
            DemonstrationFile.Write(path, new DemonstrationSet(ControlTask.Push,
                [new DemonstrationEpisode(0, true, new float[2 * ObservationLayout.Size], new float[2 * ObservationLayout.ActionSize])]));
            return [File.ReadAllBytes(path)];
        }),
        new("ntrdemo-checksummed", (bytes, dir) =>
        {
            // the checksum recomputed over the mutated content, so mutations reach the header and table parsing behind it
            if (bytes.Length >= 32)
            {
                System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
            }
            string path = Path.Combine(dir, "input.ntrdemo");
            File.WriteAllBytes(path, bytes);
            Expect<CorruptDemonstrationFileException>(path, () => DemonstrationFile.Read(path));
        }, dir =>
        {
            string path = Path.Combine(dir, "seed.ntrdemo");
            DemonstrationFile.Write(path, new DemonstrationSet(ControlTask.Hammer,
            [
                new DemonstrationEpisode(0, true, new float[2 * ObservationLayout.Size], new float[2 * ObservationLayout.ActionSize]),
                new DemonstrationEpisode(1, false, new float[ObservationLayout.Size], new float[ObservationLayout.ActionSize]),
            ]));
            return [File.ReadAllBytes(path)];
        }),
        new("mnist-json", (bytes, _) =>
        {
            Expect<DatasetFormatException>("0.json", () => NpmImageJsonReader.Parse(bytes, "0.json", out int _));
        }, _ =>
        [
            Encoding.UTF8.GetBytes("{\"data\":[" + string.Join(",", Enumerable.Range(0, 784).Select(i => i % 256)) + "]}"),
            Encoding.UTF8.GetBytes("{\"data\":[[" + string.Join(",", Enumerable.Range(0, 784).Select(i => i % 2 * 0.5)) + "],[]]}"),
        ]),
        new("run-config", (bytes, dir) =>
        {
            var folder = new RunFolder(Path.Combine(dir, "run"));
            Directory.CreateDirectory(folder.Root);
            File.WriteAllBytes(folder.ConfigPath, bytes);
            Expect<InvalidDataException>(folder.ConfigPath, () => folder.ReadConfig());
        }, _ => [Encoding.UTF8.GetBytes(ExperimentPresets.Demo("ewc").ToJson())]),
    ];

    /// <summary>Runs <paramref name="parse"/>; only <typeparamref name="T"/> naming <paramref name="source"/> is an accepted rejection.</summary>
    private static void Expect<T>(string source, Action parse)
        where T : Exception
    {
        try
        {
            parse();
        }
        catch (T e) when (e.Message.Contains(source, StringComparison.Ordinal))
        {
        }
    }
}
