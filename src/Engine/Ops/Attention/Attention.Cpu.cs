using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>CPU attention: per (batch, head), scores by GEMM, stable softmax, and the flash-style backward.</summary>
public sealed partial class CpuBackend
{
    public void AttentionForward(Tensor q, Tensor k, Tensor v, double scale, Tensor o, Tensor lse)
    {
        if (q.DType == DType.BF16)
        {
            AttentionForwardBf16(q, k, v, scale, o, lse);
            return;
        }
        DTypeDispatch.For(q.DType, AttentionForward<float>, AttentionForward<double>)(q, k, v, scale, o, lse);
    }

    public void AttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV)
    {
        if (q.DType == DType.BF16)
        {
            AttentionBackwardBf16(q, k, v, o, lse, dout, scale, dq, accumulateQ, dk, accumulateK, dv, accumulateV);
            return;
        }
        DTypeDispatch.For(q.DType, AttentionBackward<float>, AttentionBackward<double>)(q, k, v, o, lse, dout, scale, dq, accumulateQ, dk, accumulateK, dv, accumulateV);
    }

    private static void AttentionForward<T>(Tensor qt, Tensor kt, Tensor vt, double scaleValue, Tensor ot, Tensor lt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateTruncating(scaleValue);
        int heads = qt.Shape[0] * qt.Shape[1], n = qt.Shape[2], d = qt.Shape[3], m = kt.Shape[2];
        var qa = ((CpuStorage)qt.Storage).Array<T>();
        var ka = ((CpuStorage)kt.Storage).Array<T>();
        var va = ((CpuStorage)vt.Storage).Array<T>();
        var oa = ((CpuStorage)ot.Storage).Array<T>();
        var la = ((CpuStorage)lt.Storage).Array<T>();
        int qo = (int)qt.Offset, ko = (int)kt.Offset, vo = (int)vt.Offset, oo = (int)ot.Offset, lo = (int)lt.Offset;
        CpuParallel.For(heads, CpuParallel.GrainForElements(heads, (long)n * m + (long)(n + m) * d), (h0, h1) =>
        {
            var p = ArrayPool<T>.Shared.Rent(n * m);
            try
            {
                for (var h = h0; h < h1; h++)
                {
                    var pp = p.AsSpan(0, n * m);
                    Cpu.Gemm.Single(false, true, n, m, d, scale, qa.AsSpan(qo + h * n * d), d, ka.AsSpan(ko + h * m * d), d, T.Zero, pp, m);
                    for (var i = 0; i < n; i++)
                    {
                        la[lo + h * n + i] = SoftmaxRow<T>(pp.Slice(i * m, m), pp.Slice(i * m, m));
                    }
                    Cpu.Gemm.Single(false, false, n, d, m, T.One, pp, m, va.AsSpan(vo + h * m * d), d, T.Zero, oa.AsSpan(oo + h * n * d, n * d), d);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(p);
            }
        });
    }

    private static void AttentionBackward<T>(Tensor qt, Tensor kt, Tensor vt, Tensor ot, Tensor lt, Tensor dot, double scaleValue,
        Tensor? dqt, bool aq, Tensor? dkt, bool ak, Tensor? dvt, bool av)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateTruncating(scaleValue);
        int heads = qt.Shape[0] * qt.Shape[1], n = qt.Shape[2], d = qt.Shape[3], m = kt.Shape[2];
        var qa = ((CpuStorage)qt.Storage).Array<T>();
        var ka = ((CpuStorage)kt.Storage).Array<T>();
        var va = ((CpuStorage)vt.Storage).Array<T>();
        var oa = ((CpuStorage)ot.Storage).Array<T>();
        var la = ((CpuStorage)lt.Storage).Array<T>();
        var ga = ((CpuStorage)dot.Storage).Array<T>();
        var dqa = dqt is null ? null : ((CpuStorage)dqt.Storage).Array<T>();
        var dka = dkt is null ? null : ((CpuStorage)dkt.Storage).Array<T>();
        var dva = dvt is null ? null : ((CpuStorage)dvt.Storage).Array<T>();
        int qo = (int)qt.Offset, ko = (int)kt.Offset, vo = (int)vt.Offset, oo = (int)ot.Offset, lo = (int)lt.Offset, go = (int)dot.Offset;
        int dqo = (int)(dqt?.Offset ?? 0), dko = (int)(dkt?.Offset ?? 0), dvo = (int)(dvt?.Offset ?? 0);
        CpuParallel.For(heads, CpuParallel.GrainForElements(heads, (long)n * m + (long)(n + m) * d), (h0, h1) =>
        {
            var p = ArrayPool<T>.Shared.Rent(n * m);
            var dp = ArrayPool<T>.Shared.Rent(n * m);
            try
            {
                for (var h = h0; h < h1; h++)
                {
                    var pp = p.AsSpan(0, n * m);
                    var dpp = dp.AsSpan(0, n * m);
                    var qh = qa.AsSpan(qo + h * n * d);
                    var kh = ka.AsSpan(ko + h * m * d);
                    var vh = va.AsSpan(vo + h * m * d);
                    var gh = ga.AsSpan(go + h * n * d);
                    // P = exp(scale·q·kᵀ − lse)
                    Cpu.Gemm.Single(false, true, n, m, d, scale, qh, d, kh, d, T.Zero, pp, m);
                    for (var i = 0; i < n; i++)
                    {
                        var row = pp.Slice(i * m, m);
                        TensorPrimitives.Subtract(row, la[lo + h * n + i], row);
                        TensorPrimitives.Exp<T>(row, row);
                    }
                    if (dva is not null)
                    {
                        // dV = Pᵀ·dO
                        Cpu.Gemm.Single(true, false, m, d, n, T.One, pp, m, gh, d, av ? T.One : T.Zero, dva.AsSpan(dvo + h * m * d, m * d), d);
                    }
                    if (dqa is null && dka is null)
                    {
                        continue;
                    }
                    // dP = dO·Vᵀ; dS = P ⊙ (dP − rowsum(dO ⊙ O))
                    Cpu.Gemm.Single(false, true, n, m, d, T.One, gh, d, vh, d, T.Zero, dpp, m);
                    for (var i = 0; i < n; i++)
                    {
                        var di = TensorPrimitives.Dot<T>(gh.Slice(i * d, d), oa.AsSpan(oo + h * n * d + i * d, d));
                        var row = dpp.Slice(i * m, m);
                        TensorPrimitives.Subtract(row, di, row);
                        TensorPrimitives.Multiply(row, pp.Slice(i * m, m), row);
                    }
                    if (dqa is not null)
                    {
                        Cpu.Gemm.Single(false, false, n, d, m, scale, dpp, m, kh, d, aq ? T.One : T.Zero, dqa.AsSpan(dqo + h * n * d, n * d), d);
                    }
                    if (dka is not null)
                    {
                        Cpu.Gemm.Single(true, false, m, d, n, scale, dpp, m, qh, d, ak ? T.One : T.Zero, dka.AsSpan(dko + h * m * d, m * d), d);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(p);
                ArrayPool<T>.Shared.Return(dp);
            }
        });
    }

    // CPU attention on bf16 q, k, v (as kernels/attention.cu's bf16 instantiation: bf16 storage, float32 math and a
    // float32 log-sum-exp): the bf16 operands are widened exactly to float32 scratch, the float32 kernels run, and each
    // bf16 output (o, dq, dk, dv) is rounded once.
    private static void AttentionForwardBf16(Tensor q, Tensor k, Tensor v, double scale, Tensor o, Tensor lse)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
        var wideO = BFloat16Widening.Scratch(o);
        AttentionForward<float>(BFloat16Widening.Widen(q), BFloat16Widening.Widen(k), BFloat16Widening.Widen(v), scale, wideO, lse);
        BFloat16Widening.Narrow(wideO, o);
    }

    private static void AttentionBackwardBf16(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV)
    {
        using var scratch = TensorScope.Begin(); // the float32 copies live only for this call
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
