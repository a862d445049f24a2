using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// y = x·mask/(1−p) with mask_i = (Philox uniform(seed, offset + i) ≥ p); the backward pass regenerates the same
    /// mask from (seed, offset), so no mask is stored and every device drops the same elements.
    /// </summary>
    void DropoutForward(Tensor x, Tensor y, double p, ulong seed, ulong offset);

    void DropoutBackward(Tensor dy, Tensor dx, double p, ulong seed, ulong offset, bool accumulate);
}

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
        if (record && x.Device.IsCpu && x.DType is DType.F32 or DType.F64)
        {
            // on the CPU the forward pass also keeps the mask, one bit per element, so the backward pass need not
            // regenerate the Philox numbers (the same mask either way)
            var kept = new ulong[(x.Numel + 63) / 64];
            CpuBackend.DropoutForwardKeepingMask(xc, y, p, generator.Seed, offset, kept);
            return GradTape.Record(new DropoutNode(x, p, generator.Seed, offset, kept), y);
        }
        x.Backend.DropoutForward(xc, y, p, generator.Seed, offset);
        return record ? GradTape.Record(new DropoutNode(x, p, generator.Seed, offset, null), y) : y;
    }

    private sealed class DropoutNode(Tensor x, double p, ulong seed, ulong offset, ulong[]? kept) : Node(x)
    {
        public override string Name => "Dropout";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dx = grads.Destination(Inputs[0], out var acc);
            if (kept is not null)
            {
                CpuBackend.DropoutBackwardFromMask(g.Contiguous(), dx, p, kept, acc);
                return;
            }
            dx.Backend.DropoutBackward(g.Contiguous(), dx, p, seed, offset, acc);
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
