using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>The domain that builds a configuration's set-up, by <see cref="ExperimentConfig.Domain"/>.</summary>
public static class ExperimentDomains
{
    public static readonly string[] Names = ["image", "control"];

    public static IExperimentDomain For(ExperimentConfig config) => config.Domain switch
    {
        // IMAGE DOMAIN: replace this line with `"image" => new Images.ImageExperimentDomain(),` once src/Experiments/Images is merged.
        "image" => throw new NotSupportedException($"configuration '{config.Preset}': the image domain is not built into this version yet"),
        "control" => new ControlExperimentDomain(),
        _ => throw new ArgumentException($"configuration '{config.Preset}' has unknown domain '{config.Domain}'. Known domains: {string.Join(", ", Names)}"),
    };
}
