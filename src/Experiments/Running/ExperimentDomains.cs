using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Images;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>Picks the domain implementation of a configuration.</summary>
public static class ExperimentDomains
{
    public static IExperimentDomain For(ExperimentConfig config) => config.Domain switch
    {
        "image" => new ImageExperimentDomain(),
        _ => throw new ArgumentException($"unknown experiment domain '{config.Domain}' (known: image, control)"),
    };
}
