using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// Whether this back end runs <see cref="Ops.MultiHeadAttention"/> as one fused kernel for this element type
    /// (<see cref="MultiHeadAttentionForward"/> / <see cref="MultiHeadAttentionBackward"/>); where not, the op composes
    /// it from head split, <see cref="Ops.ScaledDotProductAttention"/> and head merge, and those two are never called.
    /// </summary>
    bool HasFusedMultiHeadAttention(DType dtype);

    /// <summary>o [B, N, C] and the per-(batch, head, query) log-sum-exp of the scaled scores, lse [B, heads, N], from contiguous q [B, N, C], k, v [B, M, C].</summary>
    void MultiHeadAttentionForward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor o, Tensor lse);

    /// <summary>dq, dk, dv (each written, or added to with its accumulate flag; null when not needed) from the forward pass's o and lse and the output gradient.</summary>
    void MultiHeadAttentionBackward(Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse, Tensor dout, int heads, double scale,
        Tensor? dq, bool accumulateQ, Tensor? dk, bool accumulateK, Tensor? dv, bool accumulateV);
}

/// <summary>
/// Multi-head scaled dot-product attention on token-major tensors, the layout linear projections give and take.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// For q [B, N, C] and k, v [B, M, C] with C = heads·d (head h owns channels h·d … h·d + d − 1, as
    /// <c>Reshape(B, N, heads, d)</c> splits them): o [B, N, C] with o[b, :, head h] = softmax(scale·q_h·k_hᵀ)·v_h
    /// (scale defaults to 1/√d). Equal to splitting the heads with Reshape + Permute, <see cref="ScaledDotProductAttention"/>
    /// and merging them back, without the copies: on the CPU (float32, float64) one fused pass per (batch, head) reads
    /// the projections where they are and writes o, dq, dk, dv in this layout; where the back end has no fused kernel
    /// (<see cref="IBackend.HasFusedMultiHeadAttention"/>: the GPU, bf16) it is that composition.
    /// </summary>
    public static Tensor MultiHeadAttention(Tensor q, Tensor k, Tensor v, int heads, double? scale = null)
    {
        const string op = "MultiHeadAttention";
        q.EnsureAlive(op);
        TensorOpException.Compatible(op, q, k);
        TensorOpException.Compatible(op, q, v);
        TensorOpException.Rank(op, q, 3, "query");
        TensorOpException.Rank(op, k, 3, "key");
        TensorOpException.Rank(op, v, 3, "value");
        if (k.Shape[0] != q.Shape[0] || k.Shape[2] != q.Shape[2] || !Shape.Equal(k.Shape, v.Shape))
        {
            throw new TensorOpException(op, $"query {TensorOpException.Format(q.Shape)}, key {TensorOpException.Format(k.Shape)}, value {TensorOpException.Format(v.Shape)} do not fit",
                "use [batch, tokens, channels] for all three, with key and value of the same shape and as many channels as the query");
        }
        if (k.Shape[1] == 0)
        {
            throw new TensorOpException(op, $"key {TensorOpException.Format(k.Shape)} has no tokens, so the softmax over them is undefined", "give at least one key and value token");
        }
        if (heads <= 0 || q.Shape[2] % heads != 0)
        {
            throw new TensorOpException(op, $"{q.Shape[2]} channels cannot be split into {heads} heads", "give a head count that divides the channel count");
        }
        var s = scale ?? 1.0 / Math.Sqrt(q.Shape[2] / heads);
        if (!q.Backend.HasFusedMultiHeadAttention(q.DType))
        {
            return ComposedMultiHeadAttention(q, k, v, heads, s);
        }
        var qc = q.Contiguous();
        var kc = k.Contiguous();
        var vc = v.Contiguous();
        var o = Tensor.EmptyLike(qc);
        var lse = Tensor.Empty([q.Shape[0], heads, q.Shape[1]], q.DType, q.Device);
        q.Backend.MultiHeadAttentionForward(qc, kc, vc, heads, s, o, lse);
        return GradTape.ShouldRecord(q, k, v) ? GradTape.Record(new MultiHeadAttentionNode(qc, kc, vc, q, k, v, heads, lse, s), o) : o;
    }

    /// <summary>The heads split off with Reshape + Permute, <see cref="ScaledDotProductAttention"/>, and merged back (recorded ops).</summary>
    private static Tensor ComposedMultiHeadAttention(Tensor q, Tensor k, Tensor v, int heads, double scale)
    {
        int b = q.Shape[0], c = q.Shape[2], d = c / heads;
        Tensor Split(Tensor t) => t.Reshape(b, t.Shape[1], heads, d).Permute(0, 2, 1, 3);
        return ScaledDotProductAttention(Split(q), Split(k), Split(v), scale).Permute(0, 2, 1, 3).Reshape(b, q.Shape[1], c);
    }

    private sealed class MultiHeadAttentionNode(Tensor qc, Tensor kc, Tensor vc, Tensor q, Tensor k, Tensor v, int heads, Tensor lse, double scale) : Node(q, k, v)
    {
        public override string Name => "MultiHeadAttention";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dq = grads.DestinationIfNeeded(q, out var aq);
            var dk = grads.DestinationIfNeeded(k, out var ak);
            var dv = grads.DestinationIfNeeded(v, out var av);
            qc.Backend.MultiHeadAttentionBackward(qc, kc, vc, Output, lse, g.Contiguous(), heads, scale, dq, aq, dk, ak, dv, av);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            BackwardByComposition(g, grads, () => ComposedMultiHeadAttention(q, k, v, heads, scale));
    }
}
