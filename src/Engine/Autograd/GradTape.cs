namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// The per-thread list of recorded ops, in execution order. Backward walks it in reverse: every node whose output
/// received a gradient passes gradients on to its inputs. The tape is cleared after a backward pass, and nodes
/// recorded inside a <see cref="TensorScope"/> are dropped when the scope ends.
/// </summary>
public sealed class GradTape
{
    [ThreadStatic]
    private static GradTape? _current;

    private readonly List<Node> _nodes = new();

    public static GradTape Current => _current ??= new GradTape();

    public int Count => _nodes.Count;

    /// <summary>Whether an op on these inputs must be recorded.</summary>
    public static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    public static bool ShouldRecord(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    public static bool ShouldRecord(params Tensor?[] inputs)
    {
        if (!GradMode.IsEnabled)
        {
            return false;
        }
        foreach (var t in inputs)
        {
            if (t is not null && t.RequiresGrad)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Records <paramref name="node"/> as the producer of <paramref name="output"/>.</summary>
    public static Tensor Record(Node node, Tensor output)
    {
        node.Output = output;
        output.GradFn = node;
        output.RequiresGrad = true;
        Current._nodes.Add(node);
        if (OpProfiler.Enabled)
        {
            OpProfiler.RecordedForward(node);
        }
        return output;
    }

    internal void Truncate(int count)
    {
        if (count < _nodes.Count)
        {
            _nodes.RemoveRange(count, _nodes.Count - count);
        }
    }

    public void Clear() => _nodes.Clear();

    /// <summary>
    /// Create-graph reverse pass (torch.autograd.grad with create_graph=True): the gradients of <paramref name="root"/>
    /// with respect to the leaves <paramref name="inputs"/>, computed by each node's <see cref="Node.BackwardWithGraph"/>
    /// as recorded ops, so a later <see cref="Backward"/> of any function of them differentiates through the gradient
    /// (second-order: e.g. backward of Σ ∇f·v gives the Hessian-vector product H·v). Nothing is written to Tensor.Grad
    /// and the tape is kept (the recorded gradient depends on it). An input the root does not depend on gets zeros.
    /// Throws <see cref="SecondOrderNotSupportedException"/> at the first op without a differentiable backward.
    /// </summary>
    public Tensor[] Gradients(Tensor root, IReadOnlyList<Tensor> inputs, Tensor? seed = null)
    {
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException(
                "Gradients: the tensor does not depend on anything that requires a gradient. " +
                "Fix: make sure the inputs have RequiresGrad and the forward pass did not run under GradMode.NoGrad().");
        }
        if (!GradMode.IsEnabled)
        {
            throw new InvalidOperationException(
                "Gradients: called under GradMode.NoGrad(), so the gradient cannot be recorded. Fix: call it with recording on.");
        }
        foreach (var input in inputs)
        {
            if (!input.IsLeaf)
            {
                throw new InvalidOperationException(
                    $"Gradients: input {TensorOpException.Format(input.Shape)} is not a leaf (it was computed by '{input.GradFn!.Name}'). " +
                    "Fix: ask for gradients with respect to leaves (parameters, or tensors created with RequiresGrad).");
            }
        }
        var sink = new GradSink(createGraph: true);
        sink.Seed(root, seed ?? Tensor.Full(root.Shape, 1.0, root.DType, root.Device));
        // Nodes recorded by the backward formulas are appended after `count` and are not visited by this pass.
        var count = _nodes.Count;
        for (var i = count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (sink.TryTake(node.Output, out var grad))
            {
                node.BackwardWithGraph(grad, sink);
            }
        }
        return inputs.Select(x => sink.LeafGradient(x) ?? Tensor.Zeros(x.Shape, x.DType, x.Device)).ToArray();
    }

    /// <summary>
    /// A create-graph pass over only the nodes recorded since <paramref name="fromIndex"/> (a sub-graph that a fused op's
    /// <see cref="Node.BackwardWithGraph"/> has just recomputed from primitive ops), seeded at <paramref name="output"/> with
    /// <paramref name="seed"/>: the recorded gradients that reach <paramref name="inputs"/> (null where none did).
    /// </summary>
    internal Tensor?[] SubgraphGradients(Tensor output, Tensor seed, int fromIndex, IReadOnlyList<Tensor> inputs)
    {
        var sink = new GradSink(createGraph: true);
        sink.Seed(output, seed);
        var count = _nodes.Count;
        for (var i = count - 1; i >= fromIndex; i--)
        {
            var node = _nodes[i];
            if (sink.TryTake(node.Output, out var grad))
            {
                node.BackwardWithGraph(grad, sink);
            }
        }
        return inputs.Select(sink.Gradient).ToArray();
    }

    /// <summary>Reverse-mode pass from <paramref name="root"/> (seeded with ones, or <paramref name="seed"/>).</summary>
    public void Backward(Tensor root, Tensor? seed = null)
    {
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException(
                "Backward: the tensor does not depend on anything that requires a gradient. " +
                "Fix: make sure parameters have RequiresGrad and the forward pass did not run under GradMode.NoGrad().");
        }
        // Backward formulas run untracked: gradients are first-order values, not new graph nodes.
        using var untracked = GradMode.NoGrad();
        var sink = new GradSink();
        sink.Seed(root, seed ?? Tensor.Full(root.Shape, 1.0, root.DType, root.Device));
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (sink.TryTake(node.Output, out var grad))
            {
                if (OpProfiler.Enabled)
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    node.Backward(grad, sink);
                    OpProfiler.Add("backward " + OpProfiler.Label(node), System.Diagnostics.Stopwatch.GetTimestamp() - start);
                }
                else
                {
                    node.Backward(grad, sink);
                }
            }
        }
        _nodes.Clear();
        if (OpProfiler.Enabled)
        {
            OpProfiler.Mark();
        }
    }
}
