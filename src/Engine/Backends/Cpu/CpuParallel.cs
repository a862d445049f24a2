namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Parallel loops over index ranges. Work is split into blocks whose boundaries depend only on the count and the
/// grain, never on timing, and every block writes disjoint outputs, so results are bit-identical run to run.
/// Thread count: NTR_THREADS, else the number of processors; a thread may lower it for the work it runs itself
/// (<see cref="LimitCurrentThread"/>), so several runs can share the machine one core each.
/// </summary>
public static class CpuParallel
{
    private static int _threads = ReadThreads();

    [ThreadStatic]
    private static int _currentThreadLimit;

    /// <summary>Threads a loop started on this thread may use.</summary>
    public static int Threads
    {
        get => _currentThreadLimit > 0 ? Math.Min(_currentThreadLimit, _threads) : _threads;
        set => _threads = Math.Max(1, value);
    }

    /// <summary>The process-wide thread count (NTR_THREADS or the processor count), ignoring per-thread limits.</summary>
    public static int ProcessThreads => _threads;

    /// <summary>Limits loops started on the calling thread to <paramref name="threads"/> until the result is disposed.</summary>
    public static IDisposable LimitCurrentThread(int threads)
    {
        var previous = _currentThreadLimit;
        _currentThreadLimit = Math.Max(1, threads);
        return new Restore(previous);
    }

    private sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => _currentThreadLimit = previous;
    }

    private static int ReadThreads()
    {
        var env = Environment.GetEnvironmentVariable("NTR_THREADS");
        return int.TryParse(env, out var n) && n > 0 ? n : Environment.ProcessorCount;
    }

    /// <summary>Runs body(start, end) over [0, count) in blocks of about <paramref name="grain"/> items.</summary>
    public static void For(int count, int grain, Action<int, int> body)
    {
        if (count <= 0)
        {
            return;
        }
        grain = Math.Max(1, grain);
        var blocks = (count + grain - 1) / grain;
        if (blocks == 1 || Threads == 1)
        {
            body(0, count);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        Parallel.For(0, blocks, options, b =>
        {
            var start = b * grain;
            body(start, Math.Min(count, start + grain));
        });
    }

    /// <summary>
    /// Grain for <paramref name="count"/> items of about <paramref name="elementsPerItem"/> elements each: a few blocks
    /// per thread, but no block under <see cref="MinElementsPerBlock"/> elements, so small tensors run on the calling
    /// thread instead of paying for a hand-off (which dominates on small models, and more so on a loaded machine).
    /// Only for loops whose blocks write disjoint outputs (results do not depend on the split).
    /// </summary>
    public static int GrainForElements(int count, long elementsPerItem) =>
        Math.Max(GrainFor(count), (int)Math.Min(int.MaxValue, (MinElementsPerBlock + Math.Max(1, elementsPerItem) - 1) / Math.Max(1, elementsPerItem)));

    /// <summary>The smallest block worth handing to another thread, in elements.</summary>
    public const long MinElementsPerBlock = 16384;

    /// <summary>Grain that gives each thread a few blocks of roughly equal size.</summary>
    public static int GrainFor(int count, int minGrain = 1) => Math.Max(minGrain, (count + 4 * Threads - 1) / (4 * Threads));
}
