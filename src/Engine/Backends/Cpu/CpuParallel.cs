namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Parallel loops over index ranges. Work is split into blocks whose boundaries depend only on the count and the
/// grain, never on timing, and every block writes disjoint outputs, so results are bit-identical run to run.
/// Thread count: NTR_THREADS, else the number of processors.
/// </summary>
public static class CpuParallel
{
    public static int Threads { get; set; } = ReadThreads();

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

    /// <summary>Grain that gives each thread a few blocks of roughly equal size.</summary>
    public static int GrainFor(int count, int minGrain = 1) => Math.Max(minGrain, (count + 4 * Threads - 1) / (4 * Threads));
}
