namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// Everything one run of <see cref="TrainingBenchmark"/> measured, with what it ran on and how. A partial result (after
/// some of the methods) has <see cref="Complete"/> false, and <see cref="Ddim"/> is null until a pool was generated.
/// </summary>
public sealed record TrainingBenchmarkResult(
    TrainingBenchmarkSettings Settings,
    string ModelName,
    long Parameters,
    BenchmarkMachine Machine,
    string TimingMethod,
    IReadOnlyList<MethodStepTiming> Methods,
    ReplayGenerationTiming? Ddim,
    FisherEstimationTiming? Fisher,
    DateTime Date,
    bool Complete);
