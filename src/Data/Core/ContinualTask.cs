namespace NativeTrustRegion.Data;

/// <summary>One task of a class-incremental stream: its position and the global class ids it introduces.</summary>
public sealed record ContinualTask(int Index, IReadOnlyList<int> ClassIds)
{
    public override string ToString() => $"task {Index}: classes {{{string.Join(',', ClassIds)}}}";
}
