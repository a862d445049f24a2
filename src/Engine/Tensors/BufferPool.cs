namespace NativeTrustRegion.Engine;

/// <summary>
/// Caches released buffers by (dtype, length) so that a training loop, whose shapes repeat every step,
/// allocates nothing new after its first step. <see cref="FreshAllocations"/> counts buffers that had to be
/// created; tests assert it stays flat from the second step on.
/// </summary>
public abstract class BufferPool
{
    private readonly Dictionary<(DType, long), Stack<Storage>> _free = new();
    private readonly object _lock = new();

    public long FreshAllocations { get; private set; }

    public long Rents { get; private set; }

    public long CachedBytes { get; private set; }

    public long LiveBytes { get; private set; }

    public long PeakLiveBytes { get; private set; }

    /// <summary>Told of every buffer lent while set (a CUDA graph capture holds the buffers its work uses).</summary>
    internal Action<Storage>? RentObserver { get; set; }

    protected abstract Storage AllocateFresh(DType dtype, long length);

    /// <summary>Frees the device memory of a cached buffer (no-op for managed memory).</summary>
    protected virtual void Destroy(Storage storage)
    {
    }

    public Storage Rent(DType dtype, long length)
    {
        lock (_lock)
        {
            Rents++;
            LiveBytes += length * dtype.SizeOf();
            PeakLiveBytes = Math.Max(PeakLiveBytes, LiveBytes);
            if (_free.TryGetValue((dtype, length), out var stack) && stack.Count > 0)
            {
                var s = stack.Pop();
                CachedBytes -= s.Bytes;
                RentObserver?.Invoke(s);
                return s;
            }
            FreshAllocations++;
        }
        Storage fresh;
        try
        {
            fresh = AllocateFresh(dtype, length);
        }
        catch
        {
            lock (_lock)
            {
                LiveBytes -= length * dtype.SizeOf();
            }
            throw;
        }
        fresh.Pool = this;
        RentObserver?.Invoke(fresh);
        return fresh;
    }

    public void Return(Storage storage)
    {
        if (!ReferenceEquals(storage.Pool, this))
        {
            throw new InvalidOperationException("a buffer was returned to a pool that did not lend it");
        }
        lock (_lock)
        {
            storage.Version++;
            storage.Owner = null;
            LiveBytes -= storage.Bytes;
            CachedBytes += storage.Bytes;
            if (!_free.TryGetValue((storage.DType, storage.Length), out var stack))
            {
                stack = new Stack<Storage>();
                _free[(storage.DType, storage.Length)] = stack;
            }
            stack.Push(storage);
        }
    }

    /// <summary>
    /// Releases every cached buffer (used on out-of-memory before retrying, and at shutdown), except those a live
    /// CUDA graph uses (they stay cached until the graph is disposed).
    /// </summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
            {
                var kept = new List<Storage>();
                while (stack.Count > 0)
                {
                    var s = stack.Pop();
                    if (s.GraphHolds > 0)
                    {
                        kept.Add(s);
                        continue;
                    }
                    CachedBytes -= s.Bytes;
                    Destroy(s);
                }
                for (var i = kept.Count - 1; i >= 0; i--)
                {
                    stack.Push(kept[i]);
                }
            }
        }
    }

    public void ResetPeak()
    {
        lock (_lock)
        {
            PeakLiveBytes = LiveBytes;
        }
    }
}
