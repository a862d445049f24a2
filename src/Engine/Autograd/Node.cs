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

    /// <summary>
    /// The same gradients as <see cref="Backward"/>, computed with recorded (differentiable) ops and passed to
    /// <see cref="GradSink.Accumulate"/>, so that a gradient can itself be differentiated (second-order gradients,
    /// Hessian-vector products). Runs with recording on; must not write in place. Ops without it throw
    /// <see cref="SecondOrderNotSupportedException"/>.
    /// </summary>
    public virtual void BackwardWithGraph(Tensor gradOutput, GradSink grads) => throw new SecondOrderNotSupportedException(Name);

    /// <summary>
    /// BackwardWithGraph of a fused op by recomposition: <paramref name="composed"/> recomputes the op's output from
    /// <see cref="Inputs"/> with primitive recorded ops (mathematically the same function), and the create-graph
    /// gradient of that sub-graph, seeded with <paramref name="gradOutput"/>, goes to the inputs.
    /// </summary>
    protected void BackwardByComposition(Tensor gradOutput, GradSink grads, Func<Tensor> composed)
    {
        var tape = GradTape.Current;
        var start = tape.Count;
        var output = composed();
        if (!Shape.Equal(output.Shape, Output.Shape))
        {
            throw new InvalidOperationException($"{Name}: the recomposed output has shape {TensorOpException.Format(output.Shape)}, not {TensorOpException.Format(Output.Shape)}");
        }
        if (!output.RequiresGrad)
        {
            return;
        }
        var inputGrads = tape.SubgraphGradients(output, gradOutput, start, Inputs);
        for (var i = 0; i < Inputs.Length; i++)
        {
            if (inputGrads[i] is { } g && GradSink.Needs(Inputs[i]))
            {
                grads.Accumulate(Inputs[i], g);
            }
        }
    }

    public override string ToString() => $"{Name}({string.Join(", ", Inputs.Select(i => TensorOpException.Format(i.Shape)))})";
}
