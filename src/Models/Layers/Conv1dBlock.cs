using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Diffusion Policy's Conv1dBlock: Conv1d(k, padding k/2) → GroupNorm → Mish (parameters ".block.0" and ".block.1").</summary>
public sealed class Conv1dBlock
{
    private readonly Conv1d _conv;
    private readonly GroupNorm _norm;

    public Conv1dBlock(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int groups)
    {
        _conv = new Conv1d(store, $"{name}.block.0", inChannels, outChannels, kernel, 1, kernel / 2);
        _norm = new GroupNorm(store, $"{name}.block.1", groups, outChannels);
        OutChannels = outChannels;
    }

    public int OutChannels { get; }

    public Tensor Forward(Tensor x) => Ops.Mish(_norm.Forward(_conv.Forward(x)));
}
