namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// Where a backward pass puts gradients. Leaves accumulate into <see cref="Tensor.Grad"/> (parameters: a view
/// of the flat gradient buffer, so parameter gradients are summed with +=, as in llm.c); intermediate results
/// collect theirs here until their own node runs.
/// </summary>
public sealed class GradSink
{
    private readonly Dictionary<Tensor, Tensor> _pending = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether the input takes part in differentiation.</summary>
    public static bool Needs(Tensor input) => input.RequiresGrad;

    /// <summary>
    /// A contiguous tensor of the input's shape to write the input's gradient into. When <paramref name="accumulate"/>
    /// is true it already holds a gradient and the kernel must add to it; otherwise it is uninitialised.
    /// </summary>
    public Tensor Destination(Tensor input, out bool accumulate)
    {
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
            return existing;
        }
        var fresh = Tensor.Empty(input.Shape, input.DType, input.Device);
        _pending[input] = fresh;
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
        if (!input.IsLeaf && !_pending.ContainsKey(input))
        {
            _pending[input] = grad;
            return;
        }
        var dest = Destination(input, out _);
        dest.Backend.Binary(BinaryOp.Add, dest, grad, dest);
    }

    internal void Seed(Tensor root, Tensor grad) => Accumulate(root, grad);

    internal bool TryTake(Tensor output, out Tensor grad)
    {
        if (_pending.Remove(output, out var g))
        {
            grad = g;
            return true;
        }
        grad = null!;
        return false;
    }
}
