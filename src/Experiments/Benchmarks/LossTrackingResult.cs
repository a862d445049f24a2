using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>The losses of the first steps of training on a loss-tracking folder's batches, and where they were computed.</summary>
public sealed record LossTrackingResult(string Preset, BenchmarkMachine Machine, TrainingPrecision Precision, IReadOnlyList<double> Losses, double Seconds);
