using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The timed steps of one continual method (at one meta-gradient order for FTML / VR-MCL): the raw per-step milliseconds, the warm-up steps before them, their median, the per-task costs the method
/// pays spread over the paper's steps (replay-pool generation, Fisher estimation), memory, the last step's loss, every
/// step's loss (warm-up and timed, in order), and on a CUDA device the same steps replayed as a CUDA graph.
/// </summary>
public sealed record MethodStepTiming(
    string Method,
    IReadOnlyList<double> StepMilliseconds,
    int WarmupSteps,
    double AmortisedReplayMilliseconds,
    double AmortisedFisherMilliseconds,
    long PeakPoolBytes,
    long? DeviceUsedBytes,
    double LastLoss,
    double SetupSeconds,
    MetaGradientOrder? MetaGradient = null,
    IReadOnlyList<double>? Losses = null,
    CapturedStepTiming? Graph = null)
{
    /// <summary>The method id, with its meta-gradient order for FTML / VR-MCL ("ftml second-order").</summary>
    public string Label => MetaGradient is { } order ? $"{Method} {(order == MetaGradientOrder.SecondOrder ? "second-order" : "first-order")}" : Method;

    public double MedianStepMilliseconds => Median(StepMilliseconds);

    public double StepsPerSecond => 1000 / MedianStepMilliseconds;

    /// <summary>The median step plus its share of the per-task work.</summary>
    public double EffectiveStepMilliseconds => MedianStepMilliseconds + AmortisedReplayMilliseconds + AmortisedFisherMilliseconds;

    public double EffectiveStepsPerSecond => 1000 / EffectiveStepMilliseconds;

    /// <summary>The middle value (the mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("the median of no values is undefined", nameof(values));
        }
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>
/// The method's step captured in a CUDA graph from the same state as the eager run: whether it was captured (else
/// why not), the timed steps' milliseconds and every step's loss (warm-up and timed, read from the pinned loss ring).
/// </summary>
public sealed record CapturedStepTiming(bool Captured, string? NotCapturedBecause, IReadOnlyList<double> StepMilliseconds, IReadOnlyList<double> Losses)
{
    public double? MedianStepMilliseconds => StepMilliseconds.Count == 0 ? null : MethodStepTiming.Median(StepMilliseconds);
}
