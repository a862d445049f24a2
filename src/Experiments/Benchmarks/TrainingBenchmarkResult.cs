namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>Everything one run of <see cref="TrainingBenchmark"/> measured, with what it ran on and how.</summary>
public sealed record TrainingBenchmarkResult(
    TrainingBenchmarkSettings Settings,
    string ModelName,
    long Parameters,
    BenchmarkMachine Machine,
    string TimingMethod,
    IReadOnlyList<MethodStepTiming> Methods,
    ReplayGenerationTiming Ddim,
    FisherEstimationTiming? Fisher,
    DateTime Date);
