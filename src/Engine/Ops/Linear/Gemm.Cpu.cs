using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c, long strideC, int batch)
    {
        if (c.DType == DType.BF16)
        {
            GemmBf16(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
            return;
        }
        DTypeDispatch.For(c.DType, Gemm<float>, Gemm<double>)(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    /// <summary>bf16 A, B and C: the float32 GEMM of the exactly widened operands (float32 accumulation), C rounded to bf16 once.</summary>
    private static void GemmBf16(bool ta, bool tb, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c, long strideC, int batch)
    {
        var wa = BFloat16Widening.Widen(a);
        var wb = ReferenceEquals(a.Storage, b.Storage) ? wa : BFloat16Widening.Widen(b);
        var wc = beta == 0 ? BFloat16Widening.Scratch(c) : BFloat16Widening.Widen(c);
        Gemm<float>(ta, tb, m, n, k, alpha, wa, strideA, wb, strideB, beta, wc, strideC, batch);
        for (var i = 0; i < batch; i++)
        {
            BFloat16Widening.Narrow(wc, c, c.Offset + i * strideC, (long)m * n);
        }
    }

    private static void Gemm<T>(bool ta, bool tb, int m, int n, int k, double alphaValue, Tensor a, long strideA, Tensor b, long strideB, double betaValue, Tensor c, long strideC, int batch)
        where T : unmanaged, INumber<T>
    {
        T alpha = T.CreateTruncating(alphaValue), beta = T.CreateTruncating(betaValue);
        var aa = ((CpuStorage)a.Storage).Array<T>();
        var ba = ((CpuStorage)b.Storage).Array<T>();
        var ca = ((CpuStorage)c.Storage).Array<T>();
        int lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
        if (batch == 1)
        {
            Cpu.Gemm.Parallel(ta, tb, m, n, k, alpha, aa, (int)a.Offset, lda, ba, (int)b.Offset, ldb, beta, ca, (int)c.Offset, ldc);
            return;
        }
        CpuParallel.For(batch, CpuParallel.GrainForElements(batch, (long)m * n * Math.Max(1, k) / 32), (b0, b1) =>
        {
            for (var i = b0; i < b1; i++)
            {
                Cpu.Gemm.Single(ta, tb, m, n, k, alpha,
                    aa.AsSpan((int)(a.Offset + i * strideA)), lda,
                    ba.AsSpan((int)(b.Offset + i * strideB)), ldb, beta,
                    ca.AsSpan((int)(c.Offset + i * strideC)), ldc);
            }
        });
    }
}
