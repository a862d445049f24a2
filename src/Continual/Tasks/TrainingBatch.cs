using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Continual.Tasks;

/// <summary>Clean samples x₀ [B, ...] and their conditions [B, ...] (class ids as floats, or observation histories).</summary>
public sealed record TrainingBatch(Tensor X0, Tensor? Condition)
{
    public int Size => X0.Shape[0];

    /// <summary>Rows [start, start + count) as views.</summary>
    public TrainingBatch Slice(int start, int count) =>
        new(X0.Slice(0, start, count), Condition?.Slice(0, start, count));

    /// <summary>Both batches stacked along the batch dimension.</summary>
    public static TrainingBatch Concat(TrainingBatch a, TrainingBatch b) =>
        new(Ops.Concat([a.X0, b.X0], 0), a.Condition is null || b.Condition is null ? null : Ops.Concat([a.Condition, b.Condition], 0));
}
