using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// y = x·mask/(1−p) with mask_i = (Philox uniform(seed, offset + i) ≥ p); every device drops the same elements.
    /// With <paramref name="keepMask"/> a back end may return the mask it drew (the CPU keeps one bit per element), which
    /// <see cref="DropoutBackward"/> then reuses; null: the backward pass regenerates it from (seed, offset).
    /// </summary>
    DropoutMask? DropoutForward(Tensor x, Tensor y, double p, ulong seed, ulong offset, bool keepMask = false);

    /// <summary>dx (+)= dy·mask/(1 − p), with the mask <paramref name="mask"/> kept by the forward pass or regenerated.</summary>
    void DropoutBackward(Tensor dy, Tensor dx, double p, ulong seed, ulong offset, bool accumulate, DropoutMask? mask = null);
}

/// <summary>The elements a dropout forward pass kept, in the form its back end stored them (opaque to the op).</summary>
public abstract class DropoutMask;

public static partial class Ops
{
    /// <summary>Inverted dropout, deterministic given the generator's state. Identity when p = 0.</summary>
    public static Tensor Dropout(Tensor x, double p, Generator generator)
    {
        if (p < 0 || p >= 1)
        {
            throw new TensorOpException("Dropout", $"probability {p} is outside [0, 1)", "use a drop probability in [0, 1)");
        }
        if (p == 0)
        {
            return x;
        }
        var xc = x.Contiguous();
        var y = Tensor.EmptyLike(xc);
        var offset = generator.Advance(x.Numel);
        var record = GradTape.ShouldRecord(x);
        var mask = x.Backend.DropoutForward(xc, y, p, generator.Seed, offset, keepMask: record);
        return record ? GradTape.Record(new DropoutNode(x, p, generator.Seed, offset, mask), y) : y;
    }

    private sealed class DropoutNode(Tensor x, double p, ulong seed, ulong offset, DropoutMask? kept) : Node(x)
    {
        public override string Name => "Dropout";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            dx.Backend.DropoutBackward(g.Contiguous(), dx, p, seed, offset, acc, kept);
        }

        // dx = g ⊙ m with the same (constant) scaled mask m = keep/(1 − p)
        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var x = Inputs[0];
            var mask = Tensor.Empty(x.Shape, x.DType, x.Device);
            x.Backend.DropoutBackward(Tensor.Full(x.Shape, 1.0, x.DType, x.Device), mask, p, seed, offset, accumulate: false);
            grads.Accumulate(x, Mul(g, mask));
        }
    }
}
