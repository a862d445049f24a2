namespace NativeTrustRegion.Engine.Autograd;

/// <summary>A create-graph backward (second-order gradient) reached an op whose backward is not differentiable yet.</summary>
public sealed class SecondOrderNotSupportedException(string op)
    : NotSupportedException(
        $"second-order gradients are not implemented for the op '{op}' (its backward cannot be differentiated). " +
        "Fix: use --meta-gradient first-order, or give the op a BackwardWithGraph (src/Engine/Ops) and a second-order case check.")
{
    /// <summary>The op's name as its tape node reports it.</summary>
    public string Op { get; } = op;
}
