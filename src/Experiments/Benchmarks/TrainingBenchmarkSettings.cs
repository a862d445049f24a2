using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// What <see cref="TrainingBenchmark"/> times: a model preset on a device at a batch size, each method's steady-state
/// step (after warm-up steps) in a precision, with the per-task costs of <see cref="Workload"/> spread over its steps.
/// </summary>
public sealed record TrainingBenchmarkSettings
{
    public required string Preset { get; init; }

    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Current-task samples per step (the paper's: 128 for images, 256 for the policy).</summary>
    public required int Batch { get; init; }

    public int TimedSteps { get; init; } = 20;

    public int WarmupSteps { get; init; } = 5;

    /// <summary>
    /// Warm-up also lasts at least this long per method (and before the first): host code reaches steady state only
    /// after the runtime's tiered JIT has recompiled the hot paths, which takes seconds rather than steps.
    /// </summary>
    public double WarmupSeconds { get; init; } = 3;

    public IReadOnlyList<string> Methods { get; init; } = MethodRegistry.PaperMethods;

    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Fp32;

    /// <summary>The per-task work that is amortised, and the replay pool and generation batch used here.</summary>
    public required PaperWorkload Workload { get; init; }

    /// <summary>
    /// Replay samples generated for the timed runs (one pool per run, reused by every method; null = the workload's
    /// pool per task). Generation time per sample is scaled to the workload's pool when amortised.
    /// </summary>
    public int? ReplayPoolGenerated { get; init; }

    /// <summary>Time DDIM sampling (one replay pool) even when no method under test generated one.</summary>
    public bool AlwaysTimeSampling { get; init; } = true;

    /// <summary>Samples of the Fisher estimate timed once per run (scaled to the workload's count per task).</summary>
    public int FisherSamplesTimed { get; init; } = 16;

    public ulong Seed { get; init; } = 1;

    /// <summary>Print each method's time per op kind over its timed steps (<see cref="Engine.Autograd.OpProfiler"/>).</summary>
    public bool Profile { get; init; }

    /// <summary>The command line, for the report.</summary>
    public string Command { get; init; } = "";

    /// <summary>Throws naming the first invalid field.</summary>
    public void Validate()
    {
        if (Batch < 2)
        {
            throw new ArgumentException($"batch {Batch} is too small: the meta-learning methods split it into support and query halves; use at least 2");
        }
        if (TimedSteps < 1 || WarmupSteps < 0 || WarmupSeconds < 0)
        {
            throw new ArgumentException($"{TimedSteps} timed steps, {WarmupSteps} warm-up steps and {WarmupSeconds} warm-up seconds: use at least 1 timed step and no negative warm-up");
        }
        if (ReplayPoolGenerated is < 1)
        {
            throw new ArgumentException($"a replay pool of {ReplayPoolGenerated} samples: generate at least 1");
        }
        if (FisherSamplesTimed < 1)
        {
            throw new ArgumentException($"{FisherSamplesTimed} Fisher samples: time at least 1");
        }
        if (Methods.Count == 0)
        {
            throw new ArgumentException("no methods to time");
        }
        foreach (var method in Methods)
        {
            if (!MethodRegistry.All.Contains(method))
            {
                throw new ArgumentException($"unknown method '{method}'. Known methods: {string.Join(", ", MethodRegistry.All)}");
            }
        }
        if (TrainingPrecisions.Unsupported(Precision, Device) is { } reason)
        {
            throw new ArgumentException(reason);
        }
    }
}
