using System.Text.Json;
using NativeTrustRegion.Experiments.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>The JSON files shared with tools/reference keep their names and layout (System.Text.Json source-generated).</summary>
public sealed class BenchmarkJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ParameterManifestListsEveryParameterWithItsShape()
    {
        var path = Path.Combine(_dir, "image-micro.json");
        ParameterManifest.WriteFile(path, "image-micro");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal("image-micro", root.GetProperty("preset").GetString());
        // the README's count for image-micro
        Assert.Equal(177_489, root.GetProperty("parameters").GetInt64());
        var list = root.GetProperty("parameterList").EnumerateArray().ToList();
        Assert.Equal(177_489, list.Sum(p => p.GetProperty("shape").EnumerateArray().Aggregate(1L, (n, d) => n * d.GetInt32())));
        Assert.Equal(list.Count, list.Select(p => p.GetProperty("name").GetString()).Distinct().Count());
        Assert.StartsWith("{\n  \"preset\": \"image-micro\",\n  \"model\": ", File.ReadAllText(path).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private const string Manifest = """
        {
          "format": "ntr-loss-tracking/1", "preset": "image-tiny", "model": "ImageUNet image-tiny", "batch": 2, "steps": 3,
          "seed": 7, "command": "ntr bench export-batches", "conditionKind": "class-ids", "sampleShape": [1, 16, 16],
          "conditionShape": [], "learningRate": 0.0002, "adam": { "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weightDecay": 0 },
          "loss": "mse", "dropout": "off", "files": { "weights": "initial.safetensors", "batches": "batches.safetensors" },
          "tensors": { "x0": [3, 2, 1, 16, 16] }, "parameters": 6,
          "parameterList": [ { "name": "a.weight", "shape": [2, 3] } ]
        }
        """;

    [Fact]
    public void LossTrackingManifestReadsTheNamesTheReferenceScriptsUse()
    {
        var path = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(path, Manifest);
        var m = LossTrackingManifest.Read(path);
        Assert.Equal((2, 3, 7UL, 0.0002), (m.Batch, m.Steps, m.Seed, m.LearningRate));
        Assert.Equal(1e-8, m.Adam.Eps);
        Assert.Equal([3, 2, 1, 16, 16], m.Tensors["x0"]);
        Assert.Equal("a.weight", Assert.Single(m.ParameterList).Name);
        Assert.Equal("batches.safetensors", m.Files.Batches);
    }

    [Fact]
    public void AnIncompleteOrForeignManifestIsRefusedWithTheFix()
    {
        var path = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(path, Manifest.Replace("\"steps\": 3,", "", StringComparison.Ordinal));
        var missing = Assert.Throws<InvalidDataException>(() => LossTrackingManifest.Read(path));
        Assert.Contains("'steps'", missing.Message);
        Assert.Contains("ntr bench export-batches --out", missing.Message);

        File.WriteAllText(path, Manifest.Replace("ntr-loss-tracking/1", "ntr-loss-tracking/0", StringComparison.Ordinal));
        var foreign = Assert.Throws<InvalidDataException>(() => LossTrackingManifest.Read(path));
        Assert.Contains("'ntr-loss-tracking/0' manifest, not ntr-loss-tracking/1", foreign.Message);
    }
}
