using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// diffusers' spatial self-attention block (Attention with _from_deprecated_attn_block): r = x; h = GN(x) as tokens
/// [B, H·W, C]; q, k, v = Linear(C → C); SDPA with C / headDim heads of width headDim; to_out.0 Linear(C → C);
/// back to [B, C, H, W]; + r (rescale factor 1).
/// </summary>
public sealed class Attention2D
{
    private readonly GroupNorm _norm;
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _out;

    public Attention2D(ParameterStore store, string name, int channels, int headDim, int groups, double eps)
    {
        if (headDim <= 0 || channels % headDim != 0)
        {
            throw new ArgumentException($"Attention2D '{name}': {channels} channels are not a multiple of the head width {headDim}");
        }
        Name = name;
        Channels = channels;
        HeadDim = headDim;
        Heads = channels / headDim;
        _norm = new GroupNorm(store, $"{name}.group_norm", groups, channels, eps);
        _query = new Linear(store, $"{name}.to_q", channels, channels);
        _key = new Linear(store, $"{name}.to_k", channels, channels);
        _value = new Linear(store, $"{name}.to_v", channels, channels);
        _out = new Linear(store, $"{name}.to_out.0", channels, channels);
    }

    public string Name { get; }

    public int Channels { get; }

    public int HeadDim { get; }

    public int Heads { get; }

    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Shape[1] != Channels)
        {
            throw new TensorOpException($"Attention2D '{Name}'", $"expected input [B, {Channels}, H, W], got {TensorOpException.Format(x.Shape)}",
                "pass the output of the resnet that precedes this attention block");
        }
        int b = x.Shape[0], h = x.Shape[2], w = x.Shape[3], n = h * w;
        // one token-major copy for the three projections (each would copy the transposed view), and attention on the
        // projections' [B, N, heads·d] layout (no head split or merge copies)
        var tokens = _norm.Forward(x).Reshape(b, Channels, n).Transpose(1, 2).Contiguous();
        var attended = Ops.MultiHeadAttention(_query.Forward(tokens), _key.Forward(tokens), _value.Forward(tokens), Heads, 1.0 / Math.Sqrt(HeadDim));
        var projected = _out.Forward(attended).Transpose(1, 2).Reshape(b, Channels, h, w);
        return projected + x;
    }
}
