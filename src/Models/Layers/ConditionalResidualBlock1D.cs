using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// Diffusion Policy's ConditionalResidualBlock1D with FiLM (cond_predict_scale): h = Conv1dBlock₀(x);
/// [scale, bias] = Linear(cond_dim → 2·C)(Mish(cond)); h = scale·h + bias; h = Conv1dBlock₁(h);
/// out = h + (1x1 conv of x when the channel count changes, else x).
/// </summary>
public sealed class ConditionalResidualBlock1D
{
    private readonly Conv1dBlock _block0;
    private readonly Conv1dBlock _block1;
    private readonly Linear _condEncoder;
    private readonly Conv1d? _residual;

    public ConditionalResidualBlock1D(ParameterStore store, string name, int inChannels, int outChannels, int condDim, int kernel, int groups)
    {
        Name = name;
        InChannels = inChannels;
        OutChannels = outChannels;
        CondDim = condDim;
        _block0 = new Conv1dBlock(store, $"{name}.blocks.0", inChannels, outChannels, kernel, groups);
        _block1 = new Conv1dBlock(store, $"{name}.blocks.1", outChannels, outChannels, kernel, groups);
        _condEncoder = new Linear(store, $"{name}.cond_encoder.1", condDim, 2 * outChannels);
        _residual = inChannels != outChannels ? new Conv1d(store, $"{name}.residual_conv", inChannels, outChannels, 1) : null;
    }

    public string Name { get; }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int CondDim { get; }

    /// <summary>
    /// x [B, Cin, T], activatedCond = Mish(cond) [B, cond_dim] → [B, Cout, T] (the caller applies Mish once for all the
    /// blocks that share the condition).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor activatedCond)
    {
        var cond = activatedCond;
        if (x.Rank != 3 || x.Shape[1] != InChannels || cond.Rank != 2 || cond.Shape[1] != CondDim || cond.Shape[0] != x.Shape[0])
        {
            throw new TensorOpException($"ConditionalResidualBlock1D '{Name}'",
                $"expected x [B, {InChannels}, T] and cond [B, {CondDim}], got x {TensorOpException.Format(x.Shape)} and cond {TensorOpException.Format(cond.Shape)}",
                "pass the previous block's output and the global condition of the same batch");
        }
        var h = _block0.Forward(x);
        // the FiLM scale and shift [B, 2C] are float32 (from the float32 condition), rounded to the activations' dtype;
        // the fused FiLM kernel takes float32 and float64, a bf16 block multiplies and adds in bf16
        var film = Ops.Cast(_condEncoder.Forward(cond), h.DType);
        var scale = film.Slice(1, 0, OutChannels);
        var shift = film.Slice(1, OutChannels, OutChannels);
        if (h.DType == DType.BF16)
        {
            var b = x.Shape[0];
            h = scale.Reshape(b, OutChannels, 1) * h + shift.Reshape(b, OutChannels, 1);
        }
        else
        {
            h = Ops.FiLM(h, scale, shift);
        }
        h = _block1.Forward(h);
        return h + (_residual is null ? x : _residual.Forward(x));
    }
}
