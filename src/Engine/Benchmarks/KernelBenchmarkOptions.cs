namespace NativeTrustRegion.Engine.Benchmarks;

/// <summary>
/// How long <see cref="KernelBenchmarkSuite"/> times each pass: up to <see cref="Warmup"/> untimed and
/// <see cref="Repeats"/> timed calls, each stopping early (after at least one call) once the pass has spent
/// <see cref="SecondsPerPass"/>, so a slow device (the CPU, the emulated GPU) finishes in bounded time.
/// </summary>
public sealed record KernelBenchmarkOptions
{
    public int Warmup { get; init; } = 3;

    public int Repeats { get; init; } = 20;

    public double SecondsPerPass { get; init; } = 2;

    /// <summary>Only cases whose name contains this text (case-insensitive); null for all.</summary>
    public string? Filter { get; init; }

    /// <summary>The reference GEMM is n×n·n×n with this n (default: 4096 on a device with its own memory, 1024 on the CPU).</summary>
    public int? GemmSize { get; init; }

    /// <summary>Bytes the reference copy moves from one buffer to another (default: 1 GiB on a device with its own memory, 256 MiB on the CPU).</summary>
    public long? CopyBytes { get; init; }

    /// <summary>
    /// A smoke run, not a measurement: no warm-up, one timed call per pass, a 64 MiB copy and a 256³ GEMM as references
    /// (for the emulated device, with a <see cref="Filter"/>).
    /// </summary>
    public static KernelBenchmarkOptions Quick(string? filter) =>
        new() { Warmup = 0, Repeats = 1, GemmSize = 256, CopyBytes = 64L << 20, Filter = filter };
}
