using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// Strided-batched row-major GEMM: for each i &lt; batch, C_i = alpha·op(A_i)·op(B_i) + beta·C_i with
    /// op(A_i) [m, k], op(B_i) [k, n], C_i [m, n]; A_i starts at a.Offset + i·strideA (elements), likewise B and C.
    /// Leading dimensions are those of the untransposed stored matrices: lda = transA ? m : k, ldb = transB ? k : n, ldc = n.
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c, long strideC, int batch);
}

/// <summary>Matrix products: matmul (2-D and batched 3-D) and linear layers, with gradients.</summary>
public static partial class Ops
{
    /// <summary>A matrix operand: storage view, whether it is stored transposed, and the batch stride.</summary>
    private readonly record struct MatrixView(Tensor Tensor, bool Trans, long BatchStride);

    /// <summary>Describes the last two dims of <paramref name="t"/> as a GEMM operand, copying only when unavoidable.</summary>
    private static MatrixView AsMatrix(Tensor t)
    {
        var r = t.Rank;
        int rows = t.Shape[r - 2], cols = t.Shape[r - 1];
        long batchStride = r == 3 ? t.Strides[0] : 0;
        bool batchOk = r == 2 || t.Shape[0] == 1 || t.Strides[0] == (long)rows * cols;
        if (batchOk && (t.Strides[r - 1] == 1 || cols == 1) && (t.Strides[r - 2] == cols || rows == 1))
        {
            return new MatrixView(t, false, (long)rows * cols);
        }
        if (batchOk && (t.Strides[r - 2] == 1 || rows == 1) && (t.Strides[r - 1] == rows || cols == 1))
        {
            return new MatrixView(t, true, (long)rows * cols);
        }
        var c = t.Contiguous();
        return new MatrixView(c, false, (long)rows * cols);
    }

    /// <summary>
    /// a [M,K]·b [K,N], or batched a [B,M,K]·b [B,K,N] / b [K,N]; float32, float64 or bf16 (bf16 operands: float32
    /// accumulation, bf16 product). Under <see cref="MixedPrecision.Bf16"/> float32 operands are multiplied in bf16.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        a.EnsureAlive("MatMul");
        b.EnsureAlive("MatMul");
        TensorOpException.Compatible("MatMul", a, b);
        if (MixedPrecision.Applies(a, b))
        {
            // bf16 mixed precision: bf16 operands, float32 accumulation, the bf16 product cast back to float32
            return Cast(MatMul(Cast(a, DType.BF16), Cast(b, DType.BF16)), DType.F32);
        }
        if (a.Rank < 2 || a.Rank > 3 || b.Rank < 2 || b.Rank > 3 || (b.Rank == 3 && a.Rank != 3))
        {
            throw new TensorOpException("MatMul", $"unsupported ranks {TensorOpException.Format(a.Shape)} · {TensorOpException.Format(b.Shape)}",
                "use [M,K]·[K,N], [B,M,K]·[B,K,N] or [B,M,K]·[K,N] (reshape higher-rank batches into one batch dimension)");
        }
        int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
        if (b.Shape[^2] != k || (b.Rank == 3 && b.Shape[0] != a.Shape[0]))
        {
            throw new TensorOpException("MatMul", $"inner dimensions do not match: {TensorOpException.Format(a.Shape)} · {TensorOpException.Format(b.Shape)}",
                "the last dimension of the left operand must equal the second-to-last of the right one (and batch sizes must match)");
        }
        Tensor output;
        if (a.Rank == 3 && b.Rank == 2)
        {
            // fold the batch into rows: one GEMM [B·M, K]·[K, N]
            var flat = a.Contiguous().Reshape(a.Shape[0] * m, k);
            output = MatMul(flat, b).Reshape(a.Shape[0], m, n);
            return output;
        }
        var batch = a.Rank == 3 ? a.Shape[0] : 1;
        var va = AsMatrix(a);
        var vb = AsMatrix(b);
        output = Tensor.Empty(a.Rank == 3 ? [batch, m, n] : [m, n], a.DType, a.Device);
        a.Backend.Gemm(va.Trans, vb.Trans, m, n, k, 1, va.Tensor, va.BatchStride, vb.Tensor, vb.BatchStride, 0, output, (long)m * n, batch);
        return GradTape.ShouldRecord(a, b) ? GradTape.Record(new MatMulNode(va.Tensor, vb.Tensor, va.Trans, vb.Trans, a, b, batch, m, n, k), output) : output;
    }

    private sealed class MatMulNode(Tensor sa, Tensor sb, bool ta, bool tb, Tensor a, Tensor b, int batch, int m, int n, int k) : Node(a, b)
    {
        public override string Name => "MatMul";

        public override void Backward(Tensor g, GradSink grads)
        {
            var gc = g.Contiguous();
            long mn = (long)m * n;
            if (GradSink.Needs(Inputs[0]))
            {
                // dA = dC·op(B)^T  (stored as [m, k]); if A was stored transposed, compute dA^T = op(B)·dC^T instead
                var da = grads.Destination(Inputs[0], out var acc);
                var beta = acc ? 1.0 : 0.0;
                da.Backend.Gemm(false, !tb, m, k, n, 1, gc, mn, sb, (long)k * n, beta, da, (long)m * k, batch);
            }
            if (GradSink.Needs(Inputs[1]))
            {
                // dB = op(A)^T·dC  [k, n]
                var db = grads.Destination(Inputs[1], out var acc);
                var beta = acc ? 1.0 : 0.0;
                db.Backend.Gemm(!ta, false, k, n, m, 1, sa, (long)m * k, gc, mn, beta, db, (long)k * n, batch);
            }
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            // dA = dC·Bᵀ, dB = Aᵀ·dC (per batch entry for rank 3)
            var a = Inputs[0];
            var b = Inputs[1];
            if (GradSink.Needs(a))
            {
                grads.Accumulate(a, MatMul(g, b.Transpose(-2, -1)));
            }
            if (GradSink.Needs(b))
            {
                grads.Accumulate(b, MatMul(a.Transpose(-2, -1), g));
            }
        }
    }
}
