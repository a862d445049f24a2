using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>One parameter as the manifests list it.</summary>
public sealed record ParameterShape(string Name, int[] Shape)
{
    /// <summary>Every parameter of <paramref name="store"/>, in declaration order.</summary>
    public static IReadOnlyList<ParameterShape> ListOf(ParameterStore store) =>
        store.Parameters.Select(p => new ParameterShape(p.Name, p.Shape.ToArray())).ToList();
}

/// <summary>
/// A model's parameters as JSON — name and shape of each, in declaration order, and the total — so another
/// implementation (tools/reference's PyTorch modules) can check that it builds exactly the same tensors.
/// </summary>
public sealed record ParameterManifest(string Preset, string Model, long Parameters, IReadOnlyList<ParameterShape> ParameterList)
{
    /// <summary>The manifest of a preset (parameters declared, never allocated, so this is cheap for the paper models).</summary>
    public static ParameterManifest Of(string preset)
    {
        var store = new ParameterStore();
        var model = ModelPresets.Create(preset, store);
        return new ParameterManifest(preset, model.Name, store.Count, ParameterShape.ListOf(store));
    }

    /// <summary>Writes a preset's manifest file.</summary>
    public static void WriteFile(string path, string preset) =>
        AtomicFile.WriteAllText(path, BenchmarkJsonContext.Serialize(Of(preset)));
}
