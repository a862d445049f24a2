using System.Text.Json.Serialization;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>What the re-convergence probe measures. Written as "denoising-loss" / "task-metric".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProbeMetricKind>))]
public enum ProbeMetricKind
{
    /// <summary>Held-out denoising MSE at fixed t and noise (cheap).</summary>
    [JsonStringEnumMemberName("denoising-loss")]
    DenoisingLoss,

    /// <summary>The task's own metric (success rate, FID) with <c>ProbeTaskMetricSamples</c> samples.</summary>
    [JsonStringEnumMemberName("task-metric")]
    TaskMetric,
}

public static class ProbeMetricKindNames
{
    /// <summary>The name config.json and messages use ("denoising-loss", "task-metric").</summary>
    public static string ToName(this ProbeMetricKind kind) => JsonEnumNames<ProbeMetricKind>.Of(kind);
}
