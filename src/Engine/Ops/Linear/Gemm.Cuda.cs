namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c, long strideC, int batch) =>
        GemmCore(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch, Tf32);

    /// <summary>
    /// Row-major C = alpha·op(A)·op(B) + beta·C through column-major cuBLAS: Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. the operands
    /// swapped: (opB, opA, n, m, k, B, ldb, A, lda, C, ldc = n). <paramref name="tf32"/> picks the TF32 compute type.
    /// </summary>
    internal void GemmCore(bool transA, bool transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c, long strideC, int batch, bool tf32)
    {
        if (m == 0 || n == 0 || batch == 0)
        {
            return;
        }
        if (k == 0)
        {
            // C = beta·C
            for (var i = 0; i < batch; i++)
            {
                var view = new Tensor(c.Storage, [m * n], [1], c.Offset + i * strideC);
                if (beta == 0)
                {
                    Fill(view, 0);
                }
                else if (beta != 1)
                {
                    Axpby(0, view, beta, view);
                }
            }
            return;
        }
        var handle = CublasHandle;
        int lda = transA ? m : k, ldb = transB ? k : n, ldc = n;
        int opA = transA ? Cublas.OpT : Cublas.OpN, opB = transB ? Cublas.OpT : Cublas.OpN;
        ulong pa = Ptr(a), pb = Ptr(b), pc = Ptr(c);
        int dataType, compute;
        if (c.DType == DType.F32)
        {
            dataType = Cublas.DataFloat;
            compute = tf32 ? Cublas.ComputeFloatTf32 : Cublas.ComputeFloat;
        }
        else if (c.DType == DType.BF16)
        {
            // bf16 operands and output, float32 accumulation and scalars (tensor cores on Ampere and later)
            dataType = Cublas.DataBFloat16;
            compute = Cublas.ComputeFloat;
        }
        else
        {
            dataType = Cublas.DataDouble;
            compute = Cublas.ComputeDouble;
        }
        float alphaF = (float)alpha, betaF = (float)beta;
        void* pAlpha = c.DType == DType.F64 ? &alpha : &alphaF;
        void* pBeta = c.DType == DType.F64 ? &beta : &betaF;
        if (batch == 1)
        {
            Cublas.Check(Cublas.cublasGemmEx(handle, opB, opA, n, m, k, pAlpha, pb, dataType, ldb, pa, dataType, lda, pBeta, pc, dataType, ldc, compute, Cublas.AlgoDefault),
                $"cublasGemmEx(m={m}, n={n}, k={k}, transA={transA}, transB={transB})");
        }
        else
        {
            Cublas.Check(Cublas.cublasGemmStridedBatchedEx(handle, opB, opA, n, m, k, pAlpha, pb, dataType, ldb, strideB, pa, dataType, lda, strideA, pBeta,
                pc, dataType, ldc, strideC, batch, compute, Cublas.AlgoDefault), $"cublasGemmStridedBatchedEx(m={m}, n={n}, k={k}, batch={batch})");
        }
    }
}
