namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>What <see cref="CpuVsPyTorchComparison"/> times: each preset at its batch, on each thread count, in interleaved blocks.</summary>
public sealed record CpuVsPyTorchSettings
{
    /// <summary>Presets and their batch sizes, in order (the issue's: image-micro 24, image-tiny 32, policy-tiny 32).</summary>
    public required IReadOnlyList<(string Preset, int Batch)> Models { get; init; }

    /// <summary>Thread counts: ours through the CPU back end's LimitThreads, PyTorch's through torch.set_num_threads.</summary>
    public required IReadOnlyList<int> Threads { get; init; }

    /// <summary>Blocks per engine: ours, PyTorch, ours, PyTorch, … (each block is <see cref="StepsPerBlock"/> steps).</summary>
    public int Rounds { get; init; } = 4;

    public int StepsPerBlock { get; init; } = 5;

    public int WarmupSteps { get; init; } = 5;

    public double WarmupSeconds { get; init; } = 3;

    /// <summary>
    /// Pause before each timed block, so the other engine's idle threads stop competing for the cores: PyTorch's
    /// OpenBLAS pool spins for about 0.1 s after its last call (2^28 cycles, OPENBLAS_THREAD_TIMEOUT's default), which
    /// without the pause took one of two cores from our following block (image-micro on 2 threads: 23.3 ms, 14.4 ms with
    /// the pool told to sleep at once). 0 turns it off.
    /// </summary>
    public int SettleMilliseconds { get; init; } = 300;

    /// <summary>The Python interpreter that has PyTorch.</summary>
    public string Python { get; init; } = "python3";

    /// <summary>tools/reference/cpu_step_worker.py.</summary>
    public required string WorkerScript { get; init; }

    public ulong Seed { get; init; } = 1;

    public string Command { get; init; } = "";

    public void Validate()
    {
        if (Models.Count == 0 || Threads.Count == 0)
        {
            throw new ArgumentException("name at least one preset and one thread count");
        }
        foreach (var (preset, batch) in Models)
        {
            if (batch < 1)
            {
                throw new ArgumentException($"{preset}: batch {batch}; use at least 1");
            }
        }
        if (Threads.Any(t => t < 1))
        {
            throw new ArgumentException($"thread counts {string.Join(",", Threads)}: use at least 1 thread");
        }
        if (Rounds < 1 || StepsPerBlock < 1 || WarmupSteps < 0 || WarmupSeconds < 0)
        {
            throw new ArgumentException($"{Rounds} rounds of {StepsPerBlock} steps: use at least 1 of each, and no negative warm-up");
        }
        if (SettleMilliseconds < 0)
        {
            throw new ArgumentException($"--settle-ms {SettleMilliseconds}: give a pause of 0 ms (none) or more");
        }
        if (!File.Exists(WorkerScript))
        {
            throw new ArgumentException($"the PyTorch worker script {WorkerScript} does not exist: run from the repository root or pass --worker tools/reference/cpu_step_worker.py");
        }
    }
}
