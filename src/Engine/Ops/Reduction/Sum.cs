using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>
    /// output (+)= sum of x over every axis where output has size 1 and x does not. Same rank; x may be strided,
    /// output is contiguous.
    /// </summary>
    void ReduceSum(Tensor x, Tensor output, bool accumulate);
}

/// <summary>Sum and mean over axes or over everything, with gradients (broadcast back).</summary>
public static partial class Ops
{
    public static Tensor SumAll(Tensor x) => Sum(x, Enumerable.Range(0, x.Rank).ToArray(), keepDim: false);

    public static Tensor MeanAll(Tensor x) => Scale(SumAll(x), 1.0 / Math.Max(1, x.Numel));

    public static Tensor Mean(Tensor x, int[] axes, bool keepDim = false)
    {
        long count = 1;
        foreach (var a in axes)
        {
            count *= x.Shape[Shape.Axis("Mean", a, x.Rank)];
        }
        return Scale(Sum(x, axes, keepDim), 1.0 / Math.Max(1, count));
    }

    public static Tensor Sum(Tensor x, int[] axes, bool keepDim = false)
    {
        x.EnsureAlive("Sum");
        var reduce = new bool[x.Rank];
        foreach (var a in axes)
        {
            reduce[Shape.Axis("Sum", a, x.Rank)] = true;
        }
        var kept = x.Shape.Select((d, i) => reduce[i] ? 1 : d).ToArray();
        var output = Tensor.Empty(kept, x.DType, x.Device);
        x.Backend.ReduceSum(x, output, accumulate: false);
        if (GradTape.ShouldRecord(x))
        {
            GradTape.Record(new SumNode(x), output);
        }
        if (keepDim)
        {
            return output;
        }
        var squeezed = x.Shape.Where((_, i) => !reduce[i]).ToArray();
        return output.Reshape(squeezed);
    }

    /// <summary>Sums a broadcast result back to <paramref name="shape"/> (the reverse of broadcasting).</summary>
    public static Tensor SumTo(Tensor g, int[] shape)
    {
        if (Shape.Equal(g.Shape, shape))
        {
            return g;
        }
        var lead = g.Rank - shape.Length;
        var axes = new List<int>();
        for (var i = 0; i < g.Rank; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && g.Shape[i] != 1))
            {
                axes.Add(i);
            }
        }
        if (g.DType == DType.BF16)
        {
            var kept = g.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
            return SumOfBf16To(g, axes.ToArray(), kept).Reshape(shape);
        }
        var summed = Sum(g, axes.ToArray(), keepDim: true);
        return summed.Reshape(shape);
    }

    private sealed class SumNode(Tensor x) : Node(x)
    {
        public override string Name => "Sum";

        public override void Backward(Tensor g, GradSink grads)
        {
            var x = Inputs[0];
            var dx = grads.Destination(x, out var accumulate);
            var expanded = g.Detach().Expand(x.Shape);
            if (accumulate)
            {
                dx.Backend.Binary(BinaryOp.Add, dx, expanded, dx);
            }
            else
            {
                dx.Backend.Copy(expanded, dx);
            }
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) => grads.Accumulate(Inputs[0], g.Expand(Inputs[0].Shape));
    }
}
