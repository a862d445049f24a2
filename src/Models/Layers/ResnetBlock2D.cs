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
/// <see cref="MixedPrecision.Bf16"/> the block takes and gives bf16 activations (a float32 input is cast once).
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
        // GroupNorm → SiLU is one fused op. Under bf16 mixed precision the whole block runs on bf16 activations (the
        // input is cast once if it comes in as float32): the fused GroupNorm+SiLU computes in float32 with float32
        // statistics and affine parameters, resampling and dropout in float32, each output rounded to bf16 once; the
        // convolutions multiply in bf16 with float32 accumulation and add their bias (rounded to bf16) to the bf16
        // product; the time embedding's projection is float32 ([B, C]) and rounded to bf16 for the add. So everything
        // the block keeps for the backward pass is bf16.
        if (MixedPrecision.IsBf16)
        {
            x = Ops.Cast(x, DType.BF16);
        }
        var h = _norm1.ForwardSiLU(x);
        var input = x;
        if (Resampling == ResnetResampling.Down)
        {
            input = Ops.AvgPool2x2(input);
            h = Ops.AvgPool2x2(h);
        }
        else if (Resampling == ResnetResampling.Up)
        {
            input = Ops.UpsampleNearest2x(input);
            h = Ops.UpsampleNearest2x(h);
        }
        h = _conv1.Forward(h);
        var t = Ops.Cast(_timeProjection.Forward(activatedTemb), h.DType);
        h = h + t.Reshape(t.Shape[0], OutChannels, 1, 1);
        h = _norm2.ForwardSiLU(h);
        if (dropout is not null && Dropout > 0)
        {
            h = Ops.Dropout(h, Dropout, dropout);
        }
        h = _conv2.Forward(h);
        var skip = _shortcut is null ? input : _shortcut.Forward(input);
        return skip + h;
    }
}
