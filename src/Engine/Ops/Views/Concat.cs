using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>Concatenation along an axis (one copy) and split into views (no copy), with gradients.</summary>
public static partial class Ops
{
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        const string op = "Concat";
        if (tensors.Count == 0)
        {
            throw new TensorOpException(op, "no tensors given", "pass at least one tensor");
        }
        var first = tensors[0];
        var a = Shape.Axis(op, axis, first.Rank);
        var total = 0;
        foreach (var t in tensors)
        {
            t.EnsureAlive(op);
            TensorOpException.Compatible(op, first, t);
            var ok = t.Rank == first.Rank;
            for (var d = 0; ok && d < t.Rank; d++)
            {
                ok = d == a || t.Shape[d] == first.Shape[d];
            }
            if (!ok)
            {
                throw new TensorOpException(op, $"shapes {string.Join(", ", tensors.Select(x => TensorOpException.Format(x.Shape)))} differ outside axis {a}",
                    "make every dimension except the concatenation axis equal");
            }
            total += t.Shape[a];
        }
        var shape = (int[])first.Shape.Clone();
        shape[a] = total;
        var output = Tensor.Empty(shape, first.DType, first.Device);
        var offset = 0;
        foreach (var t in tensors)
        {
            var region = output.Detach().Slice(a, offset, t.Shape[a]);
            output.Backend.Copy(t, region);
            offset += t.Shape[a];
        }
        var inputs = tensors.ToArray();
        return GradTape.ShouldRecord(inputs) ? GradTape.Record(new ConcatNode(inputs, a), output) : output;
    }

    /// <summary>Splits along an axis into pieces of the given sizes (views).</summary>
    public static Tensor[] Split(Tensor x, int axis, params int[] sizes)
    {
        var a = Shape.Axis("Split", axis, x.Rank);
        if (sizes.Sum() != x.Shape[a])
        {
            throw new TensorOpException("Split", $"sizes {TensorOpException.Format(sizes)} do not add up to dimension {a} of {TensorOpException.Format(x.Shape)}", "give sizes that sum to the dimension");
        }
        var result = new Tensor[sizes.Length];
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = x.Slice(a, offset, sizes[i]);
            offset += sizes[i];
        }
        return result;
    }

    private sealed class ConcatNode(Tensor[] inputs, int axis) : Node(inputs)
    {
        public override string Name => "Concat";

        public override void Backward(Tensor g, GradSink grads)
        {
            var offset = 0;
            foreach (var t in Inputs)
            {
                if (GradSink.Needs(t))
                {
                    grads.Accumulate(t, g.Detach().Slice(axis, offset, t.Shape[axis]));
                }
                offset += t.Shape[axis];
            }
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads)
        {
            var offset = 0;
            foreach (var t in Inputs)
            {
                if (GradSink.Needs(t))
                {
                    grads.Accumulate(t, g.Slice(axis, offset, t.Shape[axis]));
                }
                offset += t.Shape[axis];
            }
        }
    }
}
