namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>Writes a <see cref="CpuVsPyTorchComparison"/> as benchmarks/results/cpu-vs-pytorch-&lt;host&gt;-&lt;date&gt;.json.</summary>
public static class CpuVsPyTorchReport
{
    public static string Write(CpuVsPyTorchSettings s, IReadOnlyList<CpuVsPyTorchPair> pairs, string torchVersion, DateTime started, string folder, bool complete)
    {
        Directory.CreateDirectory(folder);
        var host = new string(Environment.MachineName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        var path = Path.Combine(folder, $"cpu-vs-pytorch-{host}-{started:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, BenchmarkJsonContext.Serialize(CpuVsPyTorchFile.From(s, pairs, torchVersion, started, complete)));
        return path;
    }
}
