using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Group normalisation over [B, C, ...] with a per-channel affine (weight 1, bias 0 at init).</summary>
public sealed class GroupNorm
{
    public GroupNorm(ParameterStore store, string name, int groups, int channels, double eps = 1e-5)
    {
        if (groups <= 0 || channels % groups != 0)
        {
            throw new ArgumentException($"GroupNorm '{name}': {channels} channels cannot be split into {groups} groups; choose a group count that divides the channel count");
        }
        Groups = groups;
        Channels = channels;
        Eps = eps;
        Weight = store.Declare($"{name}.weight", [channels], ParameterInit.Ones);
        Bias = store.Declare($"{name}.bias", [channels], ParameterInit.Zeros);
    }

    public int Groups { get; }

    public int Channels { get; }

    public double Eps { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => Ops.GroupNorm(x, Groups, Weight.Value, Bias.Value, Eps);
}
