using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>What one training step reports (loss of the step's main objective plus method-specific numbers).</summary>
public sealed record StepStats(double Loss, IReadOnlyDictionary<string, double>? Extra = null);

/// <summary>A method's state between steps, for checkpoints: named tensors (flat vectors, pools) and scalars.</summary>
public sealed class MethodState
{
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A continual-learning method: how one gradient update on the current task is made, and what is stored between
/// tasks. The runner calls BeginTask, then Step once per update (inside a tensor scope), then EndTask.
/// A new method is one file implementing this interface plus one row in <see cref="MethodTable"/>.
/// </summary>
public interface IContinualMethod
{
    /// <summary>Short id used on the command line (e.g. "trust-region").</summary>
    string Id { get; }

    void BeginTask(ContinualContext ctx, int task);

    StepStats Step(ContinualContext ctx, int task, int stepInTask);

    void EndTask(ContinualContext ctx, int task);

    MethodState SaveState();

    void LoadState(ContinualContext ctx, MethodState state);
}
