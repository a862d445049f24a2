using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Layers;

/// <summary>Whether a <see cref="ResnetBlock2D"/> also changes resolution (diffusers' down=True / up=True).</summary>
public enum ResnetResampling
{
    None,

    /// <summary>2x2 average pooling of both the hidden path (after norm1 → SiLU) and the shortcut.</summary>
    Down,

    /// <summary>Nearest-neighbour 2x upsampling of both the hidden path (after norm1 → SiLU) and the shortcut.</summary>
    Up,
}

/// <summary>
/// diffusers' ResnetBlock2D with the additive time embedding ("default" time_embedding_norm):
/// h = conv1(SiLU(GN(x))) + Linear(SiLU(temb)); h = conv2(dropout(SiLU(GN(h)))); out = shortcut(x) + h,
/// where the shortcut is a 1x1 conv when the channel count changes. With <see cref="ResnetResampling"/> Down/Up the
/// hidden path and the shortcut are resampled right after the first SiLU, as diffusers does. Under
/// <see cref="MixedPrecision.Bf16"/> both GroupNorm + SiLU pairs take and give bf16 activations (cast back to float32
/// only for resampling and dropout, which take float32).
/// </summary>
public sealed class ResnetBlock2D
{
    private readonly GroupNorm _norm1;
    private readonly Conv2d _conv1;
    private readonly Linear _timeProjection;
    private readonly GroupNorm _norm2;
    private readonly Conv2d _conv2;
    private readonly Conv2d? _shortcut;

    public ResnetBlock2D(ParameterStore store, string name, int inChannels, int outChannels, int timeEmbeddingDim, int groups,
        double eps, double dropout, ResnetResampling resampling = ResnetResampling.None)
    {
        Name = name;
        InChannels = inChannels;
        OutChannels = outChannels;
        Dropout = dropout;
        Resampling = resampling;
        _norm1 = new GroupNorm(store, $"{name}.norm1", groups, inChannels, eps);
        _conv1 = new Conv2d(store, $"{name}.conv1", inChannels, outChannels, 3, 1, 1);
        _timeProjection = new Linear(store, $"{name}.time_emb_proj", timeEmbeddingDim, outChannels);
        _norm2 = new GroupNorm(store, $"{name}.norm2", groups, outChannels, eps);
        _conv2 = new Conv2d(store, $"{name}.conv2", outChannels, outChannels, 3, 1, 1);
        _shortcut = inChannels != outChannels ? new Conv2d(store, $"{name}.conv_shortcut", inChannels, outChannels, 1) : null;
    }

    public string Name { get; }

    public int InChannels { get; }

    public int OutChannels { get; }

    public double Dropout { get; }

    public ResnetResampling Resampling { get; }

    /// <summary>
    /// x [B, Cin, H, W], activatedTemb = SiLU(temb) [B, T] (the UNet applies SiLU once for all its resnets);
    /// <paramref name="dropout"/> null means evaluation (no dropout).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor activatedTemb, Generator? dropout)
    {
        if (x.Rank != 4 || x.Shape[1] != InChannels)
        {
            throw new TensorOpException($"ResnetBlock2D '{Name}'", $"expected input [B, {InChannels}, H, W], got {TensorOpException.Format(x.Shape)}",
                "pass the output of the previous block of this UNet");
        }
        // GroupNorm → SiLU is one fused op. Under bf16 mixed precision the GroupNorm → SiLU → conv chains run on bf16
        // activations (the fused op computes in float32 with float32 statistics and affine parameters and rounds its
        // output to bf16 once), so
        // what they keep for the backward pass is bf16; the convolutions return float32 (bias added in float32), the
        // time-embedding add and the residual stream stay float32.
        var bf16 = MixedPrecision.IsBf16 && x.DType == DType.F32;
        var h = _norm1.ForwardSiLU(bf16 ? Ops.Cast(x, DType.BF16) : x);
        var input = x;
        if (Resampling == ResnetResampling.Down)
        {
            input = Ops.AvgPool2x2(input);
            h = Ops.AvgPool2x2(Ops.Cast(h, x.DType));
        }
        else if (Resampling == ResnetResampling.Up)
        {
            input = Ops.UpsampleNearest2x(input);
            h = Ops.UpsampleNearest2x(Ops.Cast(h, x.DType));
        }
        h = _conv1.Forward(h);
        var t = _timeProjection.Forward(activatedTemb);
        h = h + t.Reshape(t.Shape[0], OutChannels, 1, 1);
        h = _norm2.ForwardSiLU(bf16 ? Ops.Cast(h, DType.BF16) : h);
        if (dropout is not null && Dropout > 0)
        {
            h = Ops.Dropout(Ops.Cast(h, x.DType), Dropout, dropout);
        }
        h = _conv2.Forward(h);
        var skip = _shortcut is null ? input : _shortcut.Forward(input);
        return skip + h;
    }
}
