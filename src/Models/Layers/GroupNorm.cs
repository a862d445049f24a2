using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Group normalisation over [B, C, ...] with a per-channel affine (weight 1, bias 0 at init).</summary>
public sealed class GroupNorm(ParameterStore store, string name, int groups, int channels, double eps = 1e-5)
    : AffineNormalization(store, name, RequireDivisible(name, groups, channels), eps)
{
    public int Groups { get; } = groups;

    public int Channels { get; } = channels;

    public override Tensor Forward(Tensor x) => Ops.GroupNorm(x, Groups, Weight.Value, Bias.Value, Eps);

    /// <summary>SiLU(Forward(x)) as one fused op (one pass over the activations each way).</summary>
    public Tensor ForwardSiLU(Tensor x) => Ops.GroupNormSiLU(x, Groups, Weight.Value, Bias.Value, eps: Eps);

    /// <summary>The channel count, once checked to split into <paramref name="groups"/> equal groups.</summary>
    private static int RequireDivisible(string name, int groups, int channels) => groups > 0 && channels % groups == 0
        ? channels
        : throw new ArgumentException($"GroupNorm '{name}': {channels} channels cannot be split into {groups} groups; choose a group count that divides the channel count");
}
