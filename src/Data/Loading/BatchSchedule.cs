namespace NativeTrustRegion.Data;

/// <summary>
/// Which data set items make up batch number k of an endless stream of epochs: a pure function of
/// (item count, batch size, seed, shuffle, drop-last), independent of threads and timing.
/// Epoch e uses a Fisher–Yates permutation drawn from stream (seed, e); flips are hashed from
/// (seed, epoch, position).
/// </summary>
public sealed class BatchSchedule
{
    private const ulong FlipSalt = 0xF11B_F11B_F11B_F11BUL;
    private readonly object gate = new();
    private int cachedEpoch = -1;
    private int[] cachedOrder = [];

    public int ItemCount { get; }
    public int BatchSize { get; }
    public ulong Seed { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public int BatchesPerEpoch { get; }

    public BatchSchedule(int itemCount, int batchSize, ulong seed, bool shuffle, bool dropLast)
    {
        if (itemCount <= 0) throw new ArgumentException("the data set is empty; nothing to load");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be positive");
        if (dropLast && itemCount < batchSize)
            throw new ArgumentException($"drop-last with batch size {batchSize} on {itemCount} items would give no batch");
        ItemCount = itemCount;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        BatchesPerEpoch = dropLast ? itemCount / batchSize : (itemCount + batchSize - 1) / batchSize;
    }

    public int EpochOf(long step) => checked((int)(step / BatchesPerEpoch));

    /// <summary>The item order of an epoch (a permutation of 0..ItemCount−1).</summary>
    public int[] EpochOrder(int epoch)
    {
        lock (gate)
        {
            if (epoch == cachedEpoch) return cachedOrder;
            var order = new int[ItemCount];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            if (Shuffle)
            {
                var random = DeterministicRandom.ForStream(Seed, (ulong)epoch);
                random.Shuffle<int>(order);
            }
            cachedEpoch = epoch;
            cachedOrder = order;
            return order;
        }
    }

    /// <summary>Writes the item indices of batch <paramref name="step"/> and returns how many there are.</summary>
    public int GetBatch(long step, Span<int> items)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "must be ≥ 0");
        int epoch = EpochOf(step);
        int batchInEpoch = (int)(step % BatchesPerEpoch);
        int[] order = EpochOrder(epoch);
        int start = batchInEpoch * BatchSize;
        int count = Math.Min(BatchSize, ItemCount - start);
        order.AsSpan(start, count).CopyTo(items);
        return count;
    }

    /// <summary>Whether the item at <paramref name="position"/> of epoch <paramref name="epoch"/> is mirrored (when flipping is on).</summary>
    public bool Flip(int epoch, int position) =>
        (DeterministicRandom.Mix(DeterministicRandom.Mix(Seed ^ FlipSalt, (ulong)epoch), (ulong)position) & 1) != 0;
}
