using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>loss[0] = mean((pred − target)²) over all elements (accumulated in double).</summary>
    void MseForward(Tensor pred, Tensor target, Tensor loss);

    /// <summary>dpred (+)= sign·(2/N)·g·(pred − target), where g is the one-element upstream gradient on the device.</summary>
    void MseBackward(Tensor pred, Tensor target, Tensor g, double sign, Tensor dpred, bool accumulate);
}

public static partial class Ops
{
    /// <summary>Mean squared error over all elements (the paper's eq. 3 with the mean over batch and pixels).</summary>
    public static Tensor MseLoss(Tensor pred, Tensor target)
    {
        const string op = "MseLoss";
        pred.EnsureAlive(op);
        target.EnsureAlive(op);
        TensorOpException.Compatible(op, pred, target);
        if (!Shape.Equal(pred.Shape, target.Shape))
        {
            throw new TensorOpException(op, $"prediction {TensorOpException.Format(pred.Shape)} and target {TensorOpException.Format(target.Shape)} differ in shape",
                "give the target the same shape as the prediction");
        }
        var p = pred.Contiguous();
        var t = target.Contiguous();
        var loss = Tensor.Empty([], pred.DType, pred.Device);
        pred.Backend.MseForward(p, t, loss);
        return GradTape.ShouldRecord(pred, target) ? GradTape.Record(new MseNode(p, t, pred, target), loss) : loss;
    }

    private sealed class MseNode(Tensor p, Tensor t, Tensor pred, Tensor target) : Node(pred, target)
    {
        public override string Name => "MseLoss";

        public override void Backward(Tensor g, GradSink grads)
        {
            if (GradSink.Needs(pred))
            {
                var d = grads.Destination(pred, out var acc);
                pred.Backend.MseBackward(p, t, g.Contiguous(), 1, d, acc);
            }
            if (GradSink.Needs(target))
            {
                var d = grads.Destination(target, out var acc);
                pred.Backend.MseBackward(p, t, g.Contiguous(), -1, d, acc);
            }
        }

        // L = mean((p − t)²): dL/dp = 2(p − t)/n·g, dL/dt = −dL/dp
        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var dp = Mul(Sub(pred, target), Scale(g, 2.0 / Math.Max(1, pred.Numel)));
            if (GradSink.Needs(pred))
            {
                grads.Accumulate(pred, dp);
            }
            if (GradSink.Needs(target))
            {
                grads.Accumulate(target, Scale(dp, -1));
            }
        }
    }
}
