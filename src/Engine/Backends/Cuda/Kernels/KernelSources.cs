namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>The kernel sources embedded in the engine assembly (resources "kernels/&lt;file&gt;"), in name order.</summary>
public static class KernelSources
{
    private const string Prefix = "kernels/";

    private static readonly Lazy<(KernelSource[] Modules, KernelSource[] Headers)> All = new(Load);

    /// <summary>Compilable translation units (*.cu), one CUDA module each.</summary>
    public static IReadOnlyList<KernelSource> Modules => All.Value.Modules;

    /// <summary>Headers (*.cuh) handed to NVRTC by name.</summary>
    public static IReadOnlyList<KernelSource> Headers => All.Value.Headers;

    public static KernelSource Module(string name) =>
        Modules.FirstOrDefault(m => m.Name == name)
        ?? throw new InvalidOperationException($"no kernel source kernels/{name}.cu is embedded in the engine assembly (have: {string.Join(", ", Modules.Select(m => m.Name))})");

    private static (KernelSource[], KernelSource[]) Load()
    {
        var assembly = typeof(KernelSources).Assembly;
        var sources = new List<KernelSource>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            sources.Add(new KernelSource(resource[Prefix.Length..], memory.ToArray()));
        }
        return (sources.Where(s => !s.IsHeader).ToArray(), sources.Where(s => s.IsHeader).ToArray());
    }
}
