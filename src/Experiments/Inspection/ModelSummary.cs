using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Inspection;

/// <summary>
/// What `ntr model summary` prints of a model preset: its name and description, the sample and condition shapes, every
/// parameter (name, shape, count) grouped by block, and the totals. Declares the parameters without allocating them.
/// </summary>
public sealed record ModelSummary(
    string Name,
    string Description,
    int[] SampleShape,
    int[]? ConditionShape,
    IReadOnlyList<ModelSummary.Block> Blocks,
    int TensorCount,
    long ParameterCount)
{
    /// <summary>One parameter tensor.</summary>
    public sealed record Parameter(string Name, int[] Shape, long Count);

    /// <summary>A named group of consecutive parameters (e.g. one resolution level) and its subtotal.</summary>
    public sealed record Block(string Name, string Description, IReadOnlyList<Parameter> Parameters, long Count);

    /// <summary>Builds <paramref name="presetName"/>'s network (parameters declared, not allocated) and describes it.</summary>
    /// <exception cref="Engine.UsageException">The preset is unknown; the message lists the presets.</exception>
    public static ModelSummary Of(string presetName)
    {
        ModelPresets.Validate(presetName);
        var store = new ParameterStore();
        var model = ModelPresets.Create(presetName, store);
        var blocks = model.Blocks.Select(b => new Block(
            b.Name,
            b.Description,
            Enumerable.Range(b.FirstIndex, b.EndIndex - b.FirstIndex)
                .Select(i => store.Parameters[i])
                .Select(p => new Parameter(p.Name, p.Shape.ToArray(), p.Numel)).ToList(),
            b.Count)).ToList();
        return new ModelSummary(model.Name, ModelPresets.Describe(presetName), model.SampleShape.ToArray(), model.ConditionShape?.ToArray(),
            blocks, store.Parameters.Count, store.Count);
    }
}
