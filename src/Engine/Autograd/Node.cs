namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// One recorded op on the tape: its inputs, its output, and how to turn the output's gradient into gradients of
/// the inputs. Subclasses keep whatever the backward pass needs (saved tensors, op parameters).
/// </summary>
public abstract class Node
{
    protected Node(params Tensor[] inputs)
    {
        Inputs = inputs;
    }

    public Tensor[] Inputs { get; }

    /// <summary>The non-null tensors among optional inputs (e.g. an absent bias), in order.</summary>
    protected static Tensor[] Present(params Tensor?[] inputs) => inputs.Where(t => t is not null).Select(t => t!).ToArray();

    public Tensor Output { get; internal set; } = null!;

    public abstract string Name { get; }

    /// <summary>Accumulates the gradients of the inputs that need one into <paramref name="grads"/>.</summary>
    public abstract void Backward(Tensor gradOutput, GradSink grads);

    public override string ToString() => $"{Name}({string.Join(", ", Inputs.Select(i => TensorOpException.Format(i.Shape)))})";
}
