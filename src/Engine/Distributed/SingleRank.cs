namespace NativeTrustRegion.Engine.Distributed;

/// <summary>One process: the sum over one rank is the data itself, so every operation leaves it unchanged.</summary>
public sealed class SingleRank : ICollective
{
    public static readonly SingleRank Instance = new();

    public int Rank => 0;

    public int Size => 1;

    public string Transport => "single";

    public void AllReduceSum(Span<float> data)
    {
    }

    public void AllReduceSum(Span<double> data)
    {
    }

    public void Broadcast(Span<float> data, int root) => CheckRoot(root);

    public void Broadcast(Span<double> data, int root) => CheckRoot(root);

    private static void CheckRoot(int root)
    {
        if (root != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(root), $"root {root} does not exist: a single-rank run has only rank 0");
        }
    }

    public void Dispose()
    {
    }
}
