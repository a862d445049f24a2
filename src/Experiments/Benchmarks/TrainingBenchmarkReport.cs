using System.Globalization;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// Writes a <see cref="TrainingBenchmarkResult"/> as <c>train-&lt;preset&gt;-&lt;device&gt;-&lt;date&gt;.json</c>: the machine,
/// the exact command, the settings, and per method the raw step times, the median, steps/s, samples/s (current-task
/// samples: batch × steps/s), the amortised per-task costs, memory and the last loss; then DDIM sampling throughput.
/// </summary>
public static class TrainingBenchmarkReport
{
    public static string FileName(TrainingBenchmarkResult r) =>
        $"train-{r.Settings.Preset}-{r.Machine.Slug}-{r.Date.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json";

    /// <summary>Writes (or rewrites, for a partial result of the same run) the report into <paramref name="folder"/> and returns its path.</summary>
    public static string Write(TrainingBenchmarkResult r, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName(r));
        File.WriteAllText(path, BenchmarkJsonContext.Serialize(TrainingBenchmarkFile.From(r)));
        return path;
    }

    /// <summary>Reads a report back; a malformed or incomplete file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static TrainingBenchmarkFile Read(string path) =>
        BenchmarkJsonContext.Read<TrainingBenchmarkFile>(path, "write it again with `ntr bench train`");
}
