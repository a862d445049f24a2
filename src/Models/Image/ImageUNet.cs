using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Image;

/// <summary>
/// A label-conditioned diffusers UNet2DModel predicting ε. Forward: sinusoid(t) ([cos, sin], width C₀) →
/// time_embedding MLP (→ 4·C₀) + class_embedding[label]; conv_in; down blocks pushing skips; mid block; up blocks
/// concatenating popped skips; conv_norm_out → SiLU → conv_out. Parameter names follow diffusers' module paths.
/// </summary>
/// <remarks>Condition: one class id per sample ([B], <see cref="IDenoiser.ConditionShape"/> empty), or none when Classes is 0.</remarks>
public sealed class ImageUNet : UNetDenoiser<ImageUNetConfig>
{
    private readonly TimestepMlp _timeEmbedding;
    private readonly Embedding? _classEmbedding;
    private readonly Conv2d _convIn;
    private readonly ImageDownBlock[] _down;
    private readonly ImageMidBlock _mid;
    private readonly ImageUpBlock[] _up;
    private readonly GroupNorm _normOut;
    private readonly Conv2d _convOut;

    /// <summary>Declares every parameter in <paramref name="store"/>; call store.Allocate(seed) afterwards.</summary>
    public ImageUNet(ParameterStore store, ImageUNetConfig config, string name = "ImageUNet")
        : base(store, config, name)
    {
        config.Validate(name);
        var blocks = new ParameterBlockRecorder(store);
        var c0 = config.BlockOutChannels[0];
        var temb = config.TimeEmbeddingDim;

        _timeEmbedding = blocks.Record("time_embedding", $"sinusoid({c0}) → Linear {c0}→{temb} → SiLU → Linear {temb}→{temb}",
            () => new TimestepMlp(store, "time_embedding.linear_1", "time_embedding.linear_2", c0, temb, temb, Activation.SiLU));
        if (config.Classes > 0)
        {
            _classEmbedding = blocks.Record("class_embedding", $"class table {config.Classes}×{temb}, added to the time embedding",
                () => new Embedding(store, "class_embedding", config.Classes, temb));
        }
        _convIn = blocks.Record("conv_in", $"conv3x3 {config.InChannels}→{c0}",
            () => new Conv2d(store, "conv_in", config.InChannels, c0, 3, 1, 1));

        var skipChannels = new Stack<int>();
        skipChannels.Push(c0);
        _down = new ImageDownBlock[config.Levels];
        var channels = c0;
        for (var i = 0; i < config.Levels; i++)
        {
            var inChannels = channels;
            channels = config.BlockOutChannels[i];
            var kind = config.DownBlocks[i];
            ResamplingLayer? downsample = i == config.Levels - 1 ? null : Resampling(kind, config.DownsampleType, config);
            var outChannels = channels;
            _down[i] = blocks.Record($"down_blocks.{i}", Describe(kind, "Down", inChannels, outChannels, downsample, "downsample", config.SampleSize >> i),
                () => new ImageDownBlock(store, $"down_blocks.{i}", config, kind, inChannels, outChannels, downsample));
            for (var j = 0; j < config.LayersPerBlock; j++)
            {
                skipChannels.Push(channels);
            }
            if (downsample is not null)
            {
                skipChannels.Push(channels);
            }
        }

        var deepest = config.BlockOutChannels[^1];
        _mid = blocks.Record("mid_block", $"ResNet {deepest} → {(config.MidBlockAttention ? "attention → " : "")}ResNet {deepest} @{config.SampleSize >> (config.Levels - 1)}",
            () => new ImageMidBlock(store, "mid_block", config, deepest));

        _up = new ImageUpBlock[config.Levels];
        channels = deepest;
        for (var i = 0; i < config.Levels; i++)
        {
            var previous = channels;
            var outChannels = config.BlockOutChannels[config.Levels - 1 - i];
            var kind = config.UpBlocks[i];
            ResamplingLayer? upsample = i == config.Levels - 1 ? null : Resampling(kind, config.UpsampleType, config);
            var consumed = new int[config.LayersPerBlock + 1];
            for (var j = 0; j < consumed.Length; j++)
            {
                consumed[j] = skipChannels.Pop();
            }
            var resolution = config.SampleSize >> (config.Levels - 1 - i);
            _up[i] = blocks.Record($"up_blocks.{i}", Describe(kind, "Up", previous, outChannels, upsample, "upsample", resolution)
                    + $", skips {string.Join("+", consumed)}",
                () => new ImageUpBlock(store, $"up_blocks.{i}", config, kind, previous, outChannels, consumed, upsample));
            channels = outChannels;
        }

        (_normOut, _convOut) = blocks.Record("conv_out", $"GroupNorm({config.NormGroups}, {c0}) → SiLU → conv3x3 {c0}→{config.OutChannels}",
            () => (new GroupNorm(store, "conv_norm_out", config.NormGroups, c0, config.NormEps),
                new Conv2d(store, "conv_out", c0, config.OutChannels, 3, 1, 1)));
        Blocks = blocks.Blocks;
        SampleShape = [config.InChannels, config.SampleSize, config.SampleSize];
        ConditionShape = config.Classes > 0 ? [] : null;
    }

    /// <summary>x_t [B, C, H, W], timesteps [B] (floats), labels [B] (class ids as floats; null if unconditional) → ε̂ [B, C, H, W].</summary>
    public override Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? labels)
    {
        CheckInputs(xt, timesteps, labels);
        var dropout = Training && Config.Dropout > 0 ? DropoutGenerator : null;
        var features = Ops.TimestepEmbedding(timesteps, Config.BlockOutChannels[0], flipSinToCos: true, freqShift: 0);
        var temb = _timeEmbedding.Forward(features);
        if (_classEmbedding is not null)
        {
            temb = temb + _classEmbedding.Forward(labels!);
        }
        // every resnet's time projection starts with SiLU(temb): computed once here and shared
        temb = Ops.SiLU(temb);
        // under bf16 mixed precision the activations are bf16 from conv_in's input to conv_out's output (the time
        // embedding [B, T] stays float32); the prediction is cast back to float32 for the loss
        var h = _convIn.Forward(MixedPrecision.IsBf16 ? Ops.Cast(xt, DType.BF16) : xt);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var block in _down)
        {
            h = block.Forward(h, temb, skips, dropout);
        }
        h = _mid.Forward(h, temb, dropout);
        foreach (var block in _up)
        {
            h = block.Forward(h, temb, skips, dropout);
        }
        return Ops.Cast(_convOut.Forward(_normOut.ForwardSiLU(h)), xt.DType);
    }

    private void CheckInputs(Tensor xt, Tensor timesteps, Tensor? labels)
    {
        var expected = $"[B, {Config.InChannels}, {Config.SampleSize}, {Config.SampleSize}]";
        if (xt.Rank != 4 || xt.Shape[1] != Config.InChannels || xt.Shape[2] != Config.SampleSize || xt.Shape[3] != Config.SampleSize)
        {
            throw new TensorOpException(Name, $"expected x_t {expected}, got {TensorOpException.Format(xt.Shape)}", "pass images of the model's sample size and channel count");
        }
        var b = xt.Shape[0];
        if (timesteps.Rank != 1 || timesteps.Shape[0] != b)
        {
            throw new TensorOpException(Name, $"expected timesteps [{b}], got {TensorOpException.Format(timesteps.Shape)}", "pass one timestep per sample");
        }
        if (Config.Classes > 0 && (labels is null || labels.Rank != 1 || labels.Shape[0] != b))
        {
            throw new TensorOpException(Name, $"expected class labels [{b}] (ids in [0, {Config.Classes})), got {(labels is null ? "none" : TensorOpException.Format(labels.Shape))}",
                "pass one class id per sample as a float tensor");
        }
        if (Config.Classes == 0 && labels is not null)
        {
            throw new TensorOpException(Name, "got class labels, but the model is unconditional (Classes = 0)", "pass null as the condition");
        }
    }

    private static ResamplingLayer Resampling(UNetBlockKind kind, ResamplingLayer requested, ImageUNetConfig config) =>
        kind == UNetBlockKind.Attention || config.ResamplingInPlainBlocks ? requested : ResamplingLayer.Conv;

    private static string Describe(UNetBlockKind kind, string direction, int inChannels, int outChannels, ResamplingLayer? resampling, string what, int resolution)
    {
        var type = kind == UNetBlockKind.Attention ? $"Attn{direction}Block2D" : $"{direction}Block2D";
        var sampler = resampling switch
        {
            ResamplingLayer.Conv => $" + conv {what}",
            ResamplingLayer.Resnet => $" + resnet {what}",
            _ => "",
        };
        return $"{type} {inChannels}→{outChannels} @{resolution}{sampler}";
    }
}
