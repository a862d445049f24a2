using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>y = conv(x, w) (+ bias per output channel). x [N,C,H,W], w [K,C,R,S], y [N,K,P,Q], contiguous.</summary>
    void Conv2dForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g);

    /// <summary>dx (+)= conv_transpose(dy, w): the gradient of the input (also the forward of a transposed conv).</summary>
    void Conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate);

    /// <summary>dw (+)= Σ_n dy_n ⋆ x_n: the gradient of the weight.</summary>
    void Conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate);
}

/// <summary>
/// Convolutions: conv2d, conv1d (as conv2d with height 1) and conv-transpose1d, with gradients; float32, float64 or
/// bf16 (bf16 operands, float32 accumulation, bf16 output; a float32 bias is rounded to bf16 and added to it). Under
/// <see cref="MixedPrecision.Bf16"/> float32 input and weight are convolved in bf16, the output cast back to float32 and
/// the bias added in float32; a bf16 input is convolved as it is and the output, bias included, stays bf16.
/// </summary>
public static partial class Ops
{
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding));

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding)
    {
        const string op = "Conv2d";
        x.EnsureAlive(op);
        if (MixedPrecision.AppliesToActivation(x, weight))
        {
            TensorOpException.SameDevice(op, x, weight);
            if (x.DType == DType.BF16)
            {
                return Conv2dOf(x, weight, Bf16WeightCopy(weight), bias, stride, padding);
            }
            var product = Conv2dOf(Cast(x, DType.BF16), weight, Bf16WeightCopy(weight), null, stride, padding);
            return bias is null ? Cast(product, DType.F32) : CastAddBias(product, DType.F32, bias, 1);
        }
        return Conv2dOf(x, weight, weight, bias, stride, padding);
    }

    /// <summary>
    /// The convolution of x with <paramref name="computeWeight"/>: the weight itself, or (bf16 x under mixed precision)
    /// its bf16 copy, kept for the backward pass while the float32 <paramref name="weight"/> is the recorded input.
    /// </summary>
    private static Tensor Conv2dOf(Tensor x, Tensor weight, Tensor computeWeight, Tensor? bias, (int H, int W) stride, (int H, int W) padding)
    {
        const string op = "Conv2d";
        TensorOpException.Compatible(op, x, computeWeight);
        CheckBiasDType(op, x, bias);
        TensorOpException.Rank(op, x, 4, "input");
        TensorOpException.Rank(op, weight, 4, "weight");
        if (weight.Shape[1] != x.Shape[1])
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} has {x.Shape[1]} channels but weight {TensorOpException.Format(weight.Shape)} expects {weight.Shape[1]}",
                "weight must be [out_channels, in_channels, kh, kw] with in_channels equal to the input's dimension 1");
        }
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
        {
            throw new TensorOpException(op, $"bias {TensorOpException.Format(bias.Shape)} does not match {weight.Shape[0]} output channels", "bias must be [out_channels]");
        }
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[0], weight.Shape[2], weight.Shape[3], stride.H, stride.W, padding.H, padding.W);
        if (g.OutH <= 0 || g.OutW <= 0 || stride.H <= 0 || stride.W <= 0)
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} with kernel {weight.Shape[2]}x{weight.Shape[3]}, stride {stride}, padding {padding} gives an empty output",
                "use a larger input, more padding or a smaller kernel");
        }
        var xc = x.Contiguous();
        var wc = computeWeight.Contiguous();
        var y = Tensor.Empty([g.Batch, g.OutChannels, g.OutH, g.OutW], x.DType, x.Device);
        var bf16 = x.DType == DType.BF16;
        x.Backend.Conv2dForward(xc, wc, bf16 ? null : bias?.Contiguous(), y, g);
        if (bf16 && bias is not null)
        {
            AddBiasToBf16(y, bias, 1);
        }
        return GradTape.ShouldRecord(x, weight, bias) ? GradTape.Record(new ConvNode(xc, wc, x, weight, bias, g), y) : y;
    }

    /// <summary>1-D convolution: x [N, C, L], weight [K, C, k], bias [K].</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        TensorOpException.Rank("Conv1d", x, 3, "input");
        TensorOpException.Rank("Conv1d", weight, 3, "weight");
        var x4 = x.Unsqueeze(2);
        var w4 = weight.Unsqueeze(2);
        var y = Conv2d(x4, w4, bias, (1, stride), (0, padding));
        return y.Squeeze(2);
    }

    /// <summary>
    /// 1-D transposed convolution (PyTorch ConvTranspose1d, no output padding): x [N, Cin, L], weight [Cin, Cout, k],
    /// bias [Cout]; output length (L − 1)·stride − 2·padding + k.
    /// </summary>
    public static Tensor ConvTranspose1d(Tensor x, Tensor weight, Tensor? bias, int stride, int padding)
    {
        const string op = "ConvTranspose1d";
        x.EnsureAlive(op);
        if (MixedPrecision.AppliesToActivation(x, weight))
        {
            TensorOpException.SameDevice(op, x, weight);
            if (x.DType == DType.BF16)
            {
                return ConvTranspose1dOf(x, weight, Bf16WeightCopy(weight), bias, stride, padding);
            }
            var product = ConvTranspose1dOf(Cast(x, DType.BF16), weight, Bf16WeightCopy(weight), null, stride, padding);
            return bias is null ? Cast(product, DType.F32) : CastAddBias(product, DType.F32, bias, 1);
        }
        return ConvTranspose1dOf(x, weight, weight, bias, stride, padding);
    }

    /// <summary>The transposed convolution with <paramref name="computeWeight"/> (see <see cref="Conv2dOf"/>).</summary>
    private static Tensor ConvTranspose1dOf(Tensor x, Tensor weight, Tensor computeWeight, Tensor? bias, int stride, int padding)
    {
        const string op = "ConvTranspose1d";
        TensorOpException.Compatible(op, x, computeWeight);
        CheckBiasDType(op, x, bias);
        TensorOpException.Rank(op, x, 3, "input");
        TensorOpException.Rank(op, weight, 3, "weight");
        if (weight.Shape[0] != x.Shape[1])
        {
            throw new TensorOpException(op, $"input {TensorOpException.Format(x.Shape)} has {x.Shape[1]} channels but weight {TensorOpException.Format(weight.Shape)} expects {weight.Shape[0]}",
                "weight must be [in_channels, out_channels, k]");
        }
        int n = x.Shape[0], cin = x.Shape[1], len = x.Shape[2], cout = weight.Shape[1], k = weight.Shape[2];
        var outLen = (len - 1) * stride - 2 * padding + k;
        if (outLen <= 0)
        {
            throw new TensorOpException(op, $"output length {outLen} is not positive", "use a larger input or less padding");
        }
        // A transposed conv is the input-gradient of the conv that maps [N, Cout, outLen] to [N, Cin, len].
        var g = new ConvGeometry(n, cout, 1, outLen, cin, 1, k, 1, stride, 0, padding);
        if (g.OutW != len)
        {
            throw new TensorOpException(op, $"length {len} with kernel {k}, stride {stride}, padding {padding} is ambiguous (output padding is not supported)", "choose sizes with (L_out + 2p − k) divisible by the stride");
        }
        var xc = x.Contiguous();
        var wc = computeWeight.Contiguous();
        var y = Tensor.Empty([n, cout, 1, outLen], x.DType, x.Device);
        x.Backend.Conv2dBackwardData(xc.Reshape(n, cin, 1, len), wc.Reshape(cin, cout, 1, k), y, g, accumulate: false);
        if (bias is not null && x.DType == DType.BF16)
        {
            AddBiasToBf16(y, bias, 1);
        }
        else if (bias is not null)
        {
            y.Backend.Binary(BinaryOp.Add, y, bias.Detach().Reshape(1, cout, 1, 1).Expand(y.Shape), y);
        }
        var result = GradTape.ShouldRecord(x, weight, bias) ? GradTape.Record(new ConvTransposeNode(xc, wc, x, weight, bias, g), y) : y;
        return result.Reshape(n, cout, outLen);
    }

    /// <summary>
    /// A bias has the operands' dtype, or is float32 with bf16 operands (rounded to bf16 and added to the bf16 output;
    /// its gradient is summed in float32).
    /// </summary>
    private static void CheckBiasDType(string op, Tensor x, Tensor? bias)
    {
        if (bias is not null && bias.DType != x.DType && !(x.DType == DType.BF16 && bias.DType == DType.F32))
        {
            throw new TensorOpException(op, $"a {bias.DType} bias with {x.DType} operands", "give the bias in the operands' dtype (float32 is also accepted with bf16 operands)");
        }
        if (bias is not null)
        {
            TensorOpException.SameDevice(op, x, bias);
        }
    }

    private sealed class ConvNode(Tensor xc, Tensor wc, Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
        : Node(bias is null ? [x, weight] : [x, weight, bias])
    {
        public override string Name => "Conv2d";

        public override void Backward(Tensor gy, GradSink grads)
        {
            var dy = gy.Contiguous();
            if (GradSink.Needs(Inputs[0]))
            {
                var dx = grads.Destination(Inputs[0], out var acc);
                dx.Backend.Conv2dBackwardData(dy, wc, dx, g, acc);
            }
            if (GradSink.Needs(Inputs[1]))
            {
                var dw = grads.Destination(Inputs[1], out var acc);
                if (dw.DType == xc.DType)
                {
                    dw.Backend.Conv2dBackwardFilter(xc, dy, dw, g, acc);
                }
                else
                {
                    AccumulateBf16Product(dw, acc, scratch => scratch.Backend.Conv2dBackwardFilter(xc, dy, scratch, g, false));
                }
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                var db = grads.Destination(Inputs[2], out var acc);
                AccumulateBiasGradient(dy, db, 1, acc);
            }
        }

        public override void BackwardWithGraph(Tensor gy, GradSink grads)
        {
            var dy = gy.Contiguous();
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], Conv2dInputGradient(dy, Cast(Inputs[1], dy.DType), g));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                grads.Accumulate(Inputs[1], Cast(Conv2dFilterGradient(Inputs[0], dy, g), Inputs[1].DType));
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                grads.Accumulate(Inputs[2], BiasGradientWithGraph(dy, Inputs[2], 1));
            }
        }
    }

    private sealed class ConvTransposeNode(Tensor xc, Tensor wc, Tensor x, Tensor weight, Tensor? bias, ConvGeometry g)
        : Node(bias is null ? [x, weight] : [x, weight, bias])
    {
        public override string Name => "ConvTranspose1d";

        public override void Backward(Tensor gy, GradSink grads)
        {
            // gy: [N, Cout, 1, outLen] = the "input" of the underlying conv; x is that conv's "output".
            var dy = gy.Contiguous();
            int n = g.Batch, cin = g.OutChannels, len = g.OutW, cout = g.InChannels, k = g.KernelW;
            if (GradSink.Needs(Inputs[0]))
            {
                var dx = grads.Destination(Inputs[0], out var acc);
                var dx4 = dx.Reshape(n, cin, 1, len);
                if (acc)
                {
                    var tmp = Tensor.Empty(dx4.Shape, dx.DType, dx.Device);
                    dx.Backend.Conv2dForward(dy, wc.Reshape(cin, cout, 1, k), null, tmp, g);
                    dx.Backend.Binary(BinaryOp.Add, dx4, tmp, dx4);
                }
                else
                {
                    dx.Backend.Conv2dForward(dy, wc.Reshape(cin, cout, 1, k), null, dx4, g);
                }
            }
            if (GradSink.Needs(Inputs[1]))
            {
                var dw = grads.Destination(Inputs[1], out var acc);
                if (dw.DType == xc.DType)
                {
                    dw.Backend.Conv2dBackwardFilter(dy, xc.Reshape(n, cin, 1, len), dw.Reshape(cin, cout, 1, k), g, acc);
                }
                else
                {
                    AccumulateBf16Product(dw, acc, scratch => scratch.Backend.Conv2dBackwardFilter(dy, xc.Reshape(n, cin, 1, len), scratch.Reshape(cin, cout, 1, k), g, false));
                }
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                var db = grads.Destination(Inputs[2], out var acc);
                AccumulateBiasGradient(dy, db, 1, acc);
            }
        }

        public override void BackwardWithGraph(Tensor gy, GradSink grads)
        {
            // the transposed conv is the input-gradient of the conv [N, Cout, 1, outLen] → [N, Cin, 1, len] with weight w
            var dy = gy.Contiguous();
            int n = g.Batch, cin = g.OutChannels, len = g.OutW, cout = g.InChannels, k = g.KernelW;
            var w4 = Cast(Inputs[1], dy.DType).Reshape(cin, cout, 1, k);
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], ConvolveWith(dy, w4, g).Reshape(Inputs[0].Shape));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                grads.Accumulate(Inputs[1], Cast(Conv2dFilterGradient(dy, Inputs[0].Reshape(n, cin, 1, len), g).Reshape(Inputs[1].Shape), Inputs[1].DType));
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                grads.Accumulate(Inputs[2], BiasGradientWithGraph(dy, Inputs[2], 1));
            }
        }
    }
}
