using System.Text.Json.Serialization;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// How FTML and VR-MCL differentiate through their inner SGD step θ' = θ − α⊙∇L_support(θ). Written as
/// "first-order" / "second-order" (config.json's <c>meta_gradient</c>, the command line's <c>--meta-gradient</c>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<MetaGradientOrder>))]
public enum MetaGradientOrder
{
    /// <summary>∇L_query(θ'), the inner step's Jacobian taken as I (the paper's setting, Nichol et al. 2018).</summary>
    [JsonStringEnumMemberName("first-order")]
    FirstOrder,

    /// <summary>The exact meta-gradient (I − H_support(θ)·diag(α))·∇L_query(θ'), through a Hessian-vector product.</summary>
    [JsonStringEnumMemberName("second-order")]
    SecondOrder,
}
