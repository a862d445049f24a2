using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public static partial class Ops
{
    /// <summary>
    /// y = x·Wᵀ + b for x [..., in], W [out, in], b [out]. bf16 x and W: float32 accumulation, bf16 y (a float32 b is
    /// rounded to bf16 and added). Under <see cref="MixedPrecision.Bf16"/> float32 x and W are multiplied in bf16, y cast
    /// back to float32 and b added in float32; a bf16 x is multiplied as it is and y, b included, stays bf16.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        x.EnsureAlive("Linear");
        if (MixedPrecision.AppliesToActivation(x, weight))
        {
            TensorOpException.SameDevice("Linear", x, weight);
            if (x.DType == DType.BF16)
            {
                return LinearOf(x, weight, Bf16WeightCopy(weight), bias);
            }
            var product = LinearOf(Cast(x, DType.BF16), weight, Bf16WeightCopy(weight), null);
            return bias is null ? Cast(product, DType.F32) : CastAddBias(product, DType.F32, bias, -1);
        }
        return LinearOf(x, weight, weight, bias);
    }

    /// <summary>
    /// x·Wᵀ + b computed with <paramref name="computeWeight"/>: the weight itself, or (bf16 x under mixed precision) its
    /// bf16 copy, kept for the backward pass while the float32 <paramref name="weight"/> is the recorded input.
    /// </summary>
    private static Tensor LinearOf(Tensor x, Tensor weight, Tensor computeWeight, Tensor? bias)
    {
        TensorOpException.Compatible("Linear", x, computeWeight);
        CheckBiasDType("Linear", x, bias);
        if (weight.Rank != 2 || x.Rank < 1 || x.Shape[^1] != weight.Shape[1] || (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])))
        {
            throw new TensorOpException("Linear",
                $"input {TensorOpException.Format(x.Shape)}, weight {TensorOpException.Format(weight.Shape)}, bias {(bias is null ? "none" : TensorOpException.Format(bias.Shape))} do not fit",
                "the input's last dimension must equal weight.Shape[1] (in features), weight is [out, in], bias is [out]");
        }
        int inF = weight.Shape[1], outF = weight.Shape[0];
        var xc = x.Contiguous();
        var rows = (int)(x.Numel / Math.Max(1, inF));
        var w = computeWeight.Contiguous();
        var outShape = x.Shape.Take(x.Rank - 1).Append(outF).ToArray();
        var y = Tensor.Empty(outShape, x.DType, x.Device);
        x.Backend.Gemm(false, true, rows, outF, inF, 1, xc, 0, w, 0, 0, y, 0, 1);
        if (bias is not null && x.DType == DType.BF16)
        {
            AddBiasToBf16(y.Reshape(rows, outF), bias, 1);
        }
        else if (bias is not null)
        {
            var y2 = y.Reshape(rows, outF);
            y.Backend.Binary(BinaryOp.Add, y2, bias.Detach().Expand(rows, outF), y2);
        }
        return GradTape.ShouldRecord(x, weight, bias) ? GradTape.Record(new LinearNode(xc, w, x, weight, bias, rows, inF, outF), y) : y;
    }

    private sealed class LinearNode : Node
    {
        private readonly Tensor _x;
        private readonly Tensor _w;
        private readonly int _rows;
        private readonly int _in;
        private readonly int _out;

        public LinearNode(Tensor xc, Tensor wc, Tensor x, Tensor weight, Tensor? bias, int rows, int inF, int outF)
            : base(bias is null ? [x, weight] : [x, weight, bias])
        {
            _x = xc;
            _w = wc;
            _rows = rows;
            _in = inF;
            _out = outF;
        }

        public override string Name => "Linear";

        public override void Backward(Tensor g, GradSink grads)
        {
            var gc = g.Contiguous();
            if (GradSink.Needs(Inputs[0]))
            {
                var dx = grads.Destination(Inputs[0], out var acc);
                dx.Backend.Gemm(false, false, _rows, _in, _out, 1, gc, 0, _w, 0, acc ? 1 : 0, dx, 0, 1);
            }
            if (GradSink.Needs(Inputs[1]))
            {
                var dw = grads.Destination(Inputs[1], out var acc);
                if (dw.DType == _x.DType)
                {
                    dw.Backend.Gemm(true, false, _out, _in, _rows, 1, gc, 0, _x, 0, acc ? 1 : 0, dw, 0, 1);
                }
                else
                {
                    AccumulateBf16Product(dw, acc, scratch => scratch.Backend.Gemm(true, false, _out, _in, _rows, 1, gc, 0, _x, 0, 0, scratch, 0, 1));
                }
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                var db = grads.Destination(Inputs[2], out var acc);
                AccumulateBiasGradient(gc.Reshape(_rows, _out), db, 1, acc);
            }
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var g2 = g.Reshape(_rows, _out);
            if (GradSink.Needs(Inputs[0]))
            {
                grads.Accumulate(Inputs[0], MatMul(g2, Cast(Inputs[1], g2.DType)).Reshape(Inputs[0].Shape));
            }
            if (GradSink.Needs(Inputs[1]))
            {
                grads.Accumulate(Inputs[1], Cast(MatMul(g2.Transpose(0, 1), Inputs[0].Reshape(_rows, _in)), Inputs[1].DType));
            }
            if (Inputs.Length == 3 && GradSink.Needs(Inputs[2]))
            {
                grads.Accumulate(Inputs[2], BiasGradientWithGraph(g2, Inputs[2], 1));
            }
        }
    }
}
