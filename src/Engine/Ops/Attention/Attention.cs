using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// Scaled dot-product attention per (batch, head): o = softmax(scale·q·kᵀ)·v for q [B,H,N,d], k, v [B,H,M,d].
    /// Also writes the log-sum-exp of each score row (lse [B,H,N]), so backward recomputes the probabilities
    /// instead of storing them (as flash attention does).
    /// </summary>
    void AttentionForward(Tensor q, Tensor k, Tensor v, double scale, Tensor o, Tensor lse);

    /// <summary>dq, dk, dv (+)= gradients of the attention above (null outputs are skipped).</summary>
    void AttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV);
}

/// <summary>Scaled dot-product attention (the core of multi-head self-attention), fused forward and backward.</summary>
public static partial class Ops
{
    /// <summary>softmax(scale·q·kᵀ)·v over the last two dims of [B, H, N, d] tensors (scale defaults to 1/√d).</summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, double? scale = null)
    {
        const string op = "ScaledDotProductAttention";
        q.EnsureAlive(op);
        TensorOpException.Compatible(op, q, k);
        TensorOpException.Compatible(op, q, v);
        TensorOpException.Rank(op, q, 4, "query");
        TensorOpException.Rank(op, k, 4, "key");
        TensorOpException.Rank(op, v, 4, "value");
        if (k.Shape[0] != q.Shape[0] || k.Shape[1] != q.Shape[1] || k.Shape[3] != q.Shape[3] || !Shape.Equal(k.Shape, v.Shape))
        {
            throw new TensorOpException(op, $"query {TensorOpException.Format(q.Shape)}, key {TensorOpException.Format(k.Shape)}, value {TensorOpException.Format(v.Shape)} do not fit",
                "use [batch, heads, tokens, head_dim] for all three, with key and value of the same shape and the same head_dim as the query");
        }
        var s = scale ?? 1.0 / Math.Sqrt(q.Shape[3]);
        var qc = q.Contiguous();
        var kc = k.Contiguous();
        var vc = v.Contiguous();
        var o = Tensor.EmptyLike(qc);
        // the softmax statistics are float32 for bf16 q, k, v (computed and kept in float32)
        var lse = Tensor.Empty([q.Shape[0], q.Shape[1], q.Shape[2]], q.DType == DType.BF16 ? DType.F32 : q.DType, q.Device);
        q.Backend.AttentionForward(qc, kc, vc, s, o, lse);
        return GradTape.ShouldRecord(q, k, v) ? GradTape.Record(new AttentionNode(qc, kc, vc, q, k, v, lse, s), o) : o;
    }

    private sealed class AttentionNode(Tensor qc, Tensor kc, Tensor vc, Tensor q, Tensor k, Tensor v, Tensor lse, double scale) : Node(q, k, v)
    {
        public override string Name => "Attention";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dq = grads.DestinationIfNeeded(q, out var aq);
            var dk = grads.DestinationIfNeeded(k, out var ak);
            var dv = grads.DestinationIfNeeded(v, out var av);
            q.Backend.AttentionBackward(qc, kc, vc, Output, lse, g.Contiguous(), scale, dq, aq, dk, ak, dv, av);
        }

        // The attention matrix recomputed with recorded ops, P = softmax(s·Q·Kᵀ), and
        // dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = s·dS·K, dK = s·dSᵀ·Q.
        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            if (q.DType == DType.BF16)
            {
                // bf16 operands: recomposed in float32 between recorded casts (softmax and products take float32)
                BackwardByComposition(g, grads, () => Cast(ScaledDotProductAttention(Cast(q, DType.F32), Cast(k, DType.F32), Cast(v, DType.F32), scale), DType.BF16));
                return;
            }
            int b = q.Shape[0], h = q.Shape[1], nq = q.Shape[2], nk = k.Shape[2], d = q.Shape[3];
            var q3 = q.Reshape(b * h, nq, d);
            var k3 = k.Reshape(b * h, nk, d);
            var v3 = v.Reshape(b * h, nk, d);
            var dO = g.Reshape(b * h, nq, d);
            var p = Softmax(Scale(MatMul(q3, k3.Transpose(1, 2)), scale));
            if (GradSink.Needs(v))
            {
                grads.Accumulate(v, MatMul(p.Transpose(1, 2), dO).Reshape(v.Shape));
            }
            if (GradSink.Needs(q) || GradSink.Needs(k))
            {
                var dp = MatMul(dO, v3.Transpose(1, 2));
                var ds = Mul(p, Sub(dp, Sum(Mul(dp, p), [2], keepDim: true)));
                if (GradSink.Needs(q))
                {
                    grads.Accumulate(q, Scale(MatMul(ds, k3), scale).Reshape(q.Shape));
                }
                if (GradSink.Needs(k))
                {
                    grads.Accumulate(k, Scale(MatMul(ds.Transpose(1, 2), q3), scale).Reshape(k.Shape));
                }
            }
        }
    }
}
