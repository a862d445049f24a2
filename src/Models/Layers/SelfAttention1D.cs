using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// Multi-head self-attention over the T positions of a [B, C, T] sequence, with two LayerNorms (the TRCL policy's
/// attention blocks; architectures.md §3.4): out = x + LN₂(MHA(LN₁(x))) in token layout [B, T, C]. MHA follows
/// PyTorch nn.MultiheadAttention: a packed in_proj [3C, C] (Xavier-uniform, zero bias), C / heads per head, and
/// out_proj Linear(C → C) (zero bias). Parameters: 4C² + 4C for attention plus 2C per norm.
/// </summary>
public sealed class SelfAttention1D
{
    private readonly LayerNorm _norm1;
    private readonly Parameter _inProjWeight;
    private readonly Parameter _inProjBias;
    private readonly Parameter _outProjWeight;
    private readonly Parameter _outProjBias;
    private readonly LayerNorm _norm2;

    public SelfAttention1D(ParameterStore store, string name, int channels, int heads)
    {
        if (heads <= 0 || channels % heads != 0)
        {
            throw new ArgumentException($"SelfAttention1D '{name}': {channels} channels cannot be split into {heads} heads");
        }
        Name = name;
        Channels = channels;
        Heads = heads;
        _norm1 = new LayerNorm(store, $"{name}.norm1", channels);
        var xavier = Math.Sqrt(6.0 / (channels + 3 * channels));
        _inProjWeight = store.Declare($"{name}.attn.in_proj_weight", [3 * channels, channels], new ParameterInit.Uniform(-xavier, xavier));
        _inProjBias = store.Declare($"{name}.attn.in_proj_bias", [3 * channels], ParameterInit.Zeros);
        _outProjWeight = store.Declare($"{name}.attn.out_proj.weight", [channels, channels], ParameterInit.FanIn(channels));
        _outProjBias = store.Declare($"{name}.attn.out_proj.bias", [channels], ParameterInit.Zeros);
        _norm2 = new LayerNorm(store, $"{name}.norm2", channels);
    }

    public string Name { get; }

    public int Channels { get; }

    public int Heads { get; }

    /// <summary>x [B, C, T] → [B, C, T].</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 3 || x.Shape[1] != Channels)
        {
            throw new TensorOpException($"SelfAttention1D '{Name}'", $"expected input [B, {Channels}, T], got {TensorOpException.Format(x.Shape)}",
                "pass the output of the residual block that precedes this attention block");
        }
        var tokens = x.Transpose(1, 2);
        var qkv = Ops.Linear(_norm1.Forward(tokens), _inProjWeight.Value, _inProjBias.Value);
        var attended = Ops.MultiHeadAttention(qkv.Slice(2, 0, Channels), qkv.Slice(2, Channels, Channels), qkv.Slice(2, 2 * Channels, Channels), Heads);
        var projected = Ops.Linear(attended, _outProjWeight.Value, _outProjBias.Value);
        return x + _norm2.Forward(projected).Transpose(1, 2);
    }
}
