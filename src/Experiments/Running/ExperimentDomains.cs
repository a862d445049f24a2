using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Images;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>The domain that builds a configuration's set-up, by <see cref="ExperimentConfig.Domain"/>.</summary>
public static class ExperimentDomains
{
    public static IExperimentDomain For(ExperimentConfig config) => config.Domain switch
    {
        ExperimentDomain.Image => new ImageExperimentDomain(),
        ExperimentDomain.Control => new ControlExperimentDomain(),
        _ => throw new ArgumentException($"configuration '{config.Preset}' has unknown domain {(int)config.Domain}. Known domains: {string.Join(", ", Enum.GetValues<ExperimentDomain>().Select(d => d.ToName()))}"),
    };
}
