using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Policy;

/// <summary>
/// Diffusion Policy's ConditionalUnet1D with the TRCL paper's attention blocks. Forward: actions [B, T, Da] →
/// [B, Da, T]; cond = [step MLP(sinusoid(t)), flattened observations]; per down level two FiLM residual blocks
/// (+ attention), push, strided-conv downsample (not at the deepest level); mid: two residual blocks (+ attention
/// between them); per up level: concat the popped skip, two residual blocks, transposed-conv upsample; final
/// Conv1dBlock + 1x1 conv → [B, T, Da]. The first level's skip is pushed but never used, as in the original.
/// Parameter names follow Chi et al.'s module paths (down_modules.i.j, mid_modules.i, up_modules.i.j, final_conv).
/// </summary>
/// <remarks>
/// Condition: [ObservationSteps, ObservationDim] per sample; a flattened [B, ObservationSteps·ObservationDim] condition
/// is accepted too. <see cref="IDenoiser.Training"/> is kept for the common interface; this network has no dropout.
/// </remarks>
public sealed class PolicyUNet : UNetDenoiser<PolicyUNetConfig>
{
    private readonly TimestepMlp _stepEncoder;
    private readonly DownLevel[] _down;
    private readonly ConditionalResidualBlock1D _mid0;
    private readonly SelfAttention1D? _midAttention;
    private readonly ConditionalResidualBlock1D _mid1;
    private readonly UpLevel[] _up;
    private readonly Conv1dBlock _finalBlock;
    private readonly Conv1d _finalProjection;

    /// <summary>Declares every parameter in <paramref name="store"/>; call store.Allocate(seed) afterwards.</summary>
    public PolicyUNet(ParameterStore store, PolicyUNetConfig config, string name = "PolicyUNet")
        : base(store, config, name)
    {
        config.Validate(name);
        var blocks = new ParameterBlockRecorder(store);
        var dsed = config.StepEmbeddingDim;
        var cond = config.ConditionDim;
        int k = config.KernelSize, groups = config.NormGroups;

        _stepEncoder = blocks.Record("diffusion_step_encoder", $"sinusoid({dsed}) → Linear {dsed}→{4 * dsed} → Mish → Linear {4 * dsed}→{dsed}",
            () => new TimestepMlp(store, "diffusion_step_encoder.1", "diffusion_step_encoder.3", dsed, 4 * dsed, dsed, Activation.Mish));

        _down = new DownLevel[config.Levels];
        var length = config.Horizon;
        for (var i = 0; i < config.Levels; i++)
        {
            var dimIn = i == 0 ? config.ActionDim : config.DownDims[i - 1];
            var dimOut = config.DownDims[i];
            var last = i == config.Levels - 1;
            var attention = config.HasAttentionAt(i);
            var prefix = $"down_modules.{i}";
            var description = $"FiLM ResBlock {dimIn}→{dimOut}, {dimOut}→{dimOut}{(attention ? $", {config.AttentionHeads}-head attention" : "")}"
                + $" @T={length}{(last ? "" : $", downsample → T={length / 2}")}";
            _down[i] = blocks.Record(prefix, description, () => new DownLevel(
                new ConditionalResidualBlock1D(store, $"{prefix}.0", dimIn, dimOut, cond, k, groups),
                new ConditionalResidualBlock1D(store, $"{prefix}.1", dimOut, dimOut, cond, k, groups),
                attention ? new SelfAttention1D(store, $"{prefix}.attention", dimOut, config.AttentionHeads) : null,
                last ? null : Conv1d.Downsample(store, $"{prefix}.2", dimOut)));
            if (!last)
            {
                length /= 2;
            }
        }

        var mid = config.DownDims[^1];
        var midAttention = config.HasAttentionAt(config.Levels - 1);
        (_mid0, _midAttention, _mid1) = blocks.Record("mid_modules",
            $"FiLM ResBlock {mid}→{mid}{(midAttention ? $", {config.AttentionHeads}-head attention" : "")}, FiLM ResBlock {mid}→{mid} @T={length}",
            () => (new ConditionalResidualBlock1D(store, "mid_modules.0", mid, mid, cond, k, groups),
                midAttention ? new SelfAttention1D(store, "mid_modules.attention", mid, config.AttentionHeads) : null,
                new ConditionalResidualBlock1D(store, "mid_modules.1", mid, mid, cond, k, groups)));

        _up = new UpLevel[config.Levels - 1];
        for (var i = 0; i < _up.Length; i++)
        {
            var level = config.Levels - 1 - i;
            var dimIn = config.DownDims[level - 1];
            var dimOut = config.DownDims[level];
            var prefix = $"up_modules.{i}";
            _up[i] = blocks.Record(prefix, $"concat skip {dimOut}, FiLM ResBlock {2 * dimOut}→{dimIn}, {dimIn}→{dimIn} @T={length}, upsample → T={length * 2}",
                () => new UpLevel(
                    new ConditionalResidualBlock1D(store, $"{prefix}.0", 2 * dimOut, dimIn, cond, k, groups),
                    new ConditionalResidualBlock1D(store, $"{prefix}.1", dimIn, dimIn, cond, k, groups),
                    ConvTranspose1d.Upsample(store, $"{prefix}.2", dimIn)));
            length *= 2;
        }

        var start = config.DownDims[0];
        (_finalBlock, _finalProjection) = blocks.Record("final_conv", $"Conv1dBlock {start}→{start} (k{k}) → conv1x1 {start}→{config.ActionDim}",
            () => (new Conv1dBlock(store, "final_conv.0", start, start, k, groups),
                new Conv1d(store, "final_conv.1", start, config.ActionDim, 1)));
        Blocks = blocks.Blocks;
        SampleShape = [config.Horizon, config.ActionDim];
        ConditionShape = [config.ObservationSteps, config.ObservationDim];
    }

    /// <summary>Noisy actions [B, T, Da], timesteps [B] (floats), observations [B, To, Do] or [B, To·Do] → ε̂ [B, T, Da].</summary>
    public override Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? observations)
    {
        var globalCondition = CheckInputs(xt, timesteps, observations);
        var b = xt.Shape[0];
        var features = Ops.TimestepEmbedding(timesteps, Config.StepEmbeddingDim, flipSinToCos: false, freqShift: 1);
        var step = _stepEncoder.Forward(features);
        // every residual block's FiLM encoder starts with Mish(cond): computed once here and shared
        var cond = Ops.Mish(Config.GlobalConditionDim > 0 ? Ops.Concat([step, globalCondition!], 1) : step);

        // under bf16 mixed precision the activations are bf16 from the first convolution's input to the last one's
        // output (the step embedding and condition [B, ·] stay float32); the prediction is cast back to float32
        var x = (MixedPrecision.IsBf16 ? Ops.Cast(xt, DType.BF16) : xt).Transpose(1, 2);
        var skips = new Stack<Tensor>();
        foreach (var level in _down)
        {
            x = level.First.Forward(x, cond);
            x = level.Second.Forward(x, cond);
            if (level.Attention is not null)
            {
                x = level.Attention.Forward(x);
            }
            skips.Push(x);
            if (level.Downsample is not null)
            {
                x = level.Downsample.Forward(x);
            }
        }
        x = _mid0.Forward(x, cond);
        if (_midAttention is not null)
        {
            x = _midAttention.Forward(x);
        }
        x = _mid1.Forward(x, cond);
        foreach (var level in _up)
        {
            x = Ops.Concat([x, skips.Pop()], 1);
            x = level.First.Forward(x, cond);
            x = level.Second.Forward(x, cond);
            x = level.Upsample.Forward(x);
        }
        x = _finalProjection.Forward(_finalBlock.Forward(x));
        return Ops.Cast(x.Transpose(1, 2).Contiguous(), xt.DType).Reshape(b, Config.Horizon, Config.ActionDim);
    }

    private Tensor? CheckInputs(Tensor xt, Tensor timesteps, Tensor? observations)
    {
        if (xt.Rank != 3 || xt.Shape[1] != Config.Horizon || xt.Shape[2] != Config.ActionDim)
        {
            throw new TensorOpException(Name, $"expected noisy actions [B, {Config.Horizon}, {Config.ActionDim}], got {TensorOpException.Format(xt.Shape)}",
                "pass action chunks of the model's horizon and action dimension");
        }
        var b = xt.Shape[0];
        if (timesteps.Rank != 1 || timesteps.Shape[0] != b)
        {
            throw new TensorOpException(Name, $"expected timesteps [{b}], got {TensorOpException.Format(timesteps.Shape)}", "pass one timestep per sample");
        }
        if (Config.GlobalConditionDim == 0)
        {
            return null;
        }
        var flat = Config.GlobalConditionDim;
        var ok = observations is not null && observations.Shape.Length > 0 && observations.Shape[0] == b
            && ((observations.Rank == 3 && observations.Shape[1] == Config.ObservationSteps && observations.Shape[2] == Config.ObservationDim)
                || (observations.Rank == 2 && observations.Shape[1] == flat));
        if (!ok)
        {
            throw new TensorOpException(Name,
                $"expected observations [{b}, {Config.ObservationSteps}, {Config.ObservationDim}] or [{b}, {flat}], got {(observations is null ? "none" : TensorOpException.Format(observations.Shape))}",
                "pass the normalised observation history of each sample (time-major)");
        }
        return observations!.Reshape(b, flat);
    }

    private sealed record DownLevel(ConditionalResidualBlock1D First, ConditionalResidualBlock1D Second, SelfAttention1D? Attention, Conv1d? Downsample);

    private sealed record UpLevel(ConditionalResidualBlock1D First, ConditionalResidualBlock1D Second, ConvTranspose1d Upsample);
}
