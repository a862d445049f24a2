using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The paper's Table 6 columns "it/s" and "it/s (2nd)": a meta-learning method timed with the first-order and with
/// the second-order meta-gradient in the same run.
/// </summary>
public sealed record MetaGradientSpeeds(string Method, double FirstOrderStepsPerSecond, double SecondOrderStepsPerSecond)
{
    /// <summary>How many times slower a second-order step is than a first-order one.</summary>
    public double Slowdown => FirstOrderStepsPerSecond / SecondOrderStepsPerSecond;

    /// <summary>One row per method timed at both orders, in the order of <paramref name="timings"/>.</summary>
    public static IEnumerable<MetaGradientSpeeds> Of(IEnumerable<MethodStepTiming> timings)
    {
        foreach (var pair in timings.Where(t => t.MetaGradient is not null).GroupBy(t => t.Method))
        {
            var first = pair.FirstOrDefault(t => t.MetaGradient == MetaGradientOrder.FirstOrder);
            var second = pair.FirstOrDefault(t => t.MetaGradient == MetaGradientOrder.SecondOrder);
            if (first is not null && second is not null)
            {
                yield return new MetaGradientSpeeds(pair.Key, first.StepsPerSecond, second.StepsPerSecond);
            }
        }
    }
}
