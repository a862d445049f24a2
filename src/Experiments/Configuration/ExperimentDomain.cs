using System.Text.Json.Serialization;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>What a run trains: class-conditional images or CW10 robot-control policies. Written as "image" / "control".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExperimentDomain>))]
public enum ExperimentDomain
{
    [JsonStringEnumMemberName("image")]
    Image,

    [JsonStringEnumMemberName("control")]
    Control,
}

public static class ExperimentDomainNames
{
    /// <summary>The name config.json and messages use ("image", "control").</summary>
    public static string ToName(this ExperimentDomain domain) => JsonEnumNames<ExperimentDomain>.Of(domain);
}
