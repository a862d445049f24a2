using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models;

/// <summary>Records which parameters each block declares while a model is being built.</summary>
internal sealed class ParameterBlockRecorder(ParameterStore store)
{
    private readonly List<ParameterBlock> _blocks = new();

    public IReadOnlyList<ParameterBlock> Blocks => _blocks;

    /// <summary>Runs <paramref name="build"/> and records every parameter it declared as one block.</summary>
    public T Record<T>(string name, string description, Func<T> build)
    {
        var first = store.Parameters.Count;
        var before = store.Count;
        var result = build();
        _blocks.Add(new ParameterBlock(name, description, first, store.Parameters.Count, store.Count - before));
        return result;
    }
}
