namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// CPU attention on bf16 q, k, v (as kernels/attention.cu's bf16 instantiation: bf16 storage, float32 math and a
/// float32 log-sum-exp): the bf16 operands are widened exactly to float32 scratch, the float32 kernels run, and each
/// bf16 output (o, dq, dk, dv) is rounded once.
/// </summary>
public sealed partial class CpuBackend
{
    private static void AttentionForwardBf16(Tensor q, Tensor k, Tensor v, double scale, Tensor o, Tensor lse)
    {
        var wideO = BFloat16Widening.Scratch(o);
        AttentionForward<float>(BFloat16Widening.Widen(q), BFloat16Widening.Widen(k), BFloat16Widening.Widen(v), scale, wideO, lse);
        BFloat16Widening.Narrow(wideO, o);
    }

    private static void AttentionBackwardBf16(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV)
    {
        Tensor? Wide(Tensor? gradient, bool accumulate) => gradient is null ? null
            : accumulate ? BFloat16Widening.Widen(gradient) : BFloat16Widening.Scratch(gradient);
        var wideQ = Wide(dq, accumulateQ);
        var wideK = Wide(dk, accumulateK);
        var wideV = Wide(dv, accumulateV);
        AttentionBackward<float>(BFloat16Widening.Widen(q), BFloat16Widening.Widen(k), BFloat16Widening.Widen(v), BFloat16Widening.Widen(o), lse,
            BFloat16Widening.Widen(dout), scale, wideQ, accumulateQ, wideK, accumulateK, wideV, accumulateV);
        foreach (var (wide, gradient) in new[] { (wideQ, dq), (wideK, dk), (wideV, dv) })
        {
            if (gradient is not null)
            {
                BFloat16Widening.Narrow(wide!, gradient);
            }
        }
    }
}
