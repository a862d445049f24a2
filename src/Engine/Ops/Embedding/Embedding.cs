using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>output[i, :] = table[ids[i], :] for table [K, D], ids [B] (integral values stored as floats).</summary>
    void EmbeddingForward(Tensor table, Tensor ids, Tensor output);

    /// <summary>dtable[ids[i], :] += dout[i, :] (always accumulates; deterministic order).</summary>
    void EmbeddingBackward(Tensor ids, Tensor dout, Tensor dtable);
}

/// <summary>Embedding lookup (class-label tables). Ids are a float tensor of whole numbers in [0, K).</summary>
public static partial class Ops
{
    public static Tensor Embedding(Tensor table, Tensor ids)
    {
        const string op = "Embedding";
        table.EnsureAlive(op);
        TensorOpException.Compatible(op, table, ids);
        TensorOpException.Rank(op, table, 2, "table");
        TensorOpException.Rank(op, ids, 1, "ids");
        var output = Tensor.Empty([ids.Shape[0], table.Shape[1]], table.DType, table.Device);
        table.Backend.EmbeddingForward(table.Contiguous(), ids.Contiguous(), output);
        return GradTape.ShouldRecord(table) ? GradTape.Record(new EmbeddingNode(table, ids.Contiguous()), output) : output;
    }

    private sealed class EmbeddingNode(Tensor table, Tensor ids) : Node(table)
    {
        public override string Name => "Embedding";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dt = grads.Destination(table, out var acc);
            if (!acc)
            {
                dt.Fill(0);
            }
            table.Backend.EmbeddingBackward(ids, g.Contiguous(), dt);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) => grads.Accumulate(table, EmbeddingGradient(g, ids, table.Shape));
    }

    /// <summary>The table gradient of <see cref="Embedding"/> (rows of g summed into their ids' rows) as a recorded op; its adjoint is the lookup.</summary>
    internal static Tensor EmbeddingGradient(Tensor g, Tensor ids, int[] tableShape)
    {
        var gc = g.Contiguous();
        var dt = Tensor.Zeros(tableShape, g.DType, g.Device);
        g.Backend.EmbeddingBackward(ids, gc, dt);
        return GradTape.ShouldRecord(gc) ? GradTape.Record(new EmbeddingGradientNode(gc, ids), dt) : dt;
    }

    private sealed class EmbeddingGradientNode(Tensor g, Tensor ids) : Node(g)
    {
        public override string Name => "EmbeddingGradient";

        public override void Backward(Tensor r, GradSink grads) => grads.Accumulate(Inputs[0], Embedding(r, ids));

        public override void BackwardWithGraph(Tensor r, GradSink grads) => Backward(r, grads);
    }
}
