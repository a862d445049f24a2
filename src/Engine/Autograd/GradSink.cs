namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// Where a backward pass puts gradients. Leaves accumulate into <see cref="Tensor.Grad"/> (parameters: a view
/// of the flat gradient buffer, so parameter gradients are summed with +=, as in llm.c); intermediate results
/// collect theirs here until their own node runs.
/// In create-graph mode (<see cref="GradTape.Gradients"/>, for second-order gradients) nothing is written in place:
/// gradients are summed with recorded (differentiable) adds and leaf gradients are kept here, not in Tensor.Grad.
/// </summary>
public sealed class GradSink
{
    private readonly Dictionary<Tensor, Tensor> _pending = new(ReferenceEqualityComparer.Instance);

    private readonly Dictionary<Tensor, Tensor> _leafGradients = new(ReferenceEqualityComparer.Instance);

    public GradSink(bool createGraph = false)
    {
        CreateGraph = createGraph;
    }

    /// <summary>Whether this pass records its gradients on the tape (nodes run <see cref="Node.BackwardWithGraph"/>).</summary>
    public bool CreateGraph { get; }

    // Pending gradients this sink allocated itself (contiguous, not shared). A gradient handed in by Accumulate may be
    // a strided view of, or the very buffer of, another tensor's gradient (Concat slices, the two inputs of an Add), so
    // it is copied into an owned buffer before anything accumulates into it in place.
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether the input takes part in differentiation.</summary>
    public static bool Needs(Tensor input) => input.RequiresGrad;

    /// <summary>
    /// <see cref="Destination"/> for an input that takes part in differentiation, null (and no accumulation) for one
    /// that does not: the form kernels with several optional gradient outputs take.
    /// </summary>
    public Tensor? DestinationIfNeeded(Tensor input, out bool accumulate)
    {
        if (!Needs(input))
        {
            accumulate = false;
            return null;
        }
        return Destination(input, out accumulate);
    }

    /// <summary>
    /// A contiguous tensor of the input's shape to write the input's gradient into. When <paramref name="accumulate"/>
    /// is true it already holds a gradient and the kernel must add to it; otherwise it is uninitialised.
    /// </summary>
    public Tensor Destination(Tensor input, out bool accumulate)
    {
        if (CreateGraph)
        {
            throw new InvalidOperationException(
                "GradSink.Destination is for in-place first-order kernels; a create-graph backward must pass recorded gradients to Accumulate");
        }
        if (input.IsLeaf)
        {
            if (input.Grad is null)
            {
                input.Grad = Tensor.ZerosUnscoped(input.Shape, input.DType, input.Device);
            }
            accumulate = true;
            return input.Grad;
        }
        if (_pending.TryGetValue(input, out var existing))
        {
            accumulate = true;
            if (_owned.Contains(existing))
            {
                return existing;
            }
            var copy = Tensor.Empty(input.Shape, input.DType, input.Device);
            copy.Backend.Copy(existing, copy);
            _pending[input] = copy;
            _owned.Add(copy);
            return copy;
        }
        var fresh = Tensor.Empty(input.Shape, input.DType, input.Device);
        _pending[input] = fresh;
        _owned.Add(fresh);
        accumulate = false;
        return fresh;
    }

    /// <summary>Adds an already computed gradient (same shape as the input; any layout).</summary>
    public void Accumulate(Tensor input, Tensor grad)
    {
        if (!Shape.Equal(input.Shape, grad.Shape))
        {
            throw new InvalidOperationException($"backward produced a gradient of shape {TensorOpException.Format(grad.Shape)} for an input of shape {TensorOpException.Format(input.Shape)}");
        }
        if (CreateGraph)
        {
            var target = input.IsLeaf ? _leafGradients : _pending;
            target[input] = target.TryGetValue(input, out var sum) ? Engine.Ops.Add(sum, grad) : grad;
            return;
        }
        if (!input.IsLeaf && !_pending.ContainsKey(input))
        {
            _pending[input] = grad;
            return;
        }
        var dest = Destination(input, out _);
        dest.Backend.Binary(BinaryOp.Add, dest, grad, dest);
    }

    /// <summary>The recorded gradient a create-graph pass gave the leaf <paramref name="leaf"/> (null: it got none).</summary>
    internal Tensor? LeafGradient(Tensor leaf) => _leafGradients.TryGetValue(leaf, out var g) ? g : null;

    /// <summary>The recorded gradient a create-graph pass gave <paramref name="t"/>, leaf or not (null: it got none).</summary>
    internal Tensor? Gradient(Tensor t) => t.IsLeaf ? LeafGradient(t) : _pending.TryGetValue(t, out var g) ? g : null;

    internal void Seed(Tensor root, Tensor grad) => Accumulate(root, grad);

    internal bool TryTake(Tensor output, out Tensor grad)
    {
        if (_pending.Remove(output, out var g))
        {
            _owned.Remove(g);
            grad = g;
            return true;
        }
        grad = null!;
        return false;
    }
}
