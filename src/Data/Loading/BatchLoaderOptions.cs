namespace NativeTrustRegion.Data;

/// <summary>Settings of a <see cref="BatchLoader"/>.</summary>
public sealed record BatchLoaderOptions
{
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed of the per-epoch shuffles and of the flips; the batch sequence is a pure function of it.</summary>
    public ulong Seed { get; init; }

    /// <summary>Reshuffle at every epoch (default). When false, batches follow data set order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Skip the last, smaller batch of an epoch so every batch has exactly <see cref="BatchSize"/> images.</summary>
    public bool DropLast { get; init; }

    /// <summary>Mirror each image left–right with probability ½ (off by default, as in the authors' setup).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Batches prepared ahead on a background thread (2 = double buffering beyond the one in use).
    /// 0 prepares each batch on the calling thread. The output does not depend on this value.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Where staging buffers come from; null = <see cref="ManagedStagingAllocator.Instance"/>.</summary>
    public IStagingAllocator? Allocator { get; init; }
}
