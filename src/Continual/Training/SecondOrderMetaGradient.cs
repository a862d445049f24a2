using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// The second-order correction of a one-step meta-gradient. With θ' = θ − α⊙∇L_s(θ) (α a scalar or per parameter),
/// ∂L_q(θ')/∂θ = (I − H_s(θ)·diag(α))·v with v = ∇L_q(θ') and H_s the support loss's Hessian at θ (symmetric). Given v,
/// this subtracts H_s(θ)·(α⊙v): the support loss is recomputed at θ (same noise draw and dropout masks), its gradient
/// recorded on the tape (<see cref="GradTape.Gradients"/>), and backward of Σ ∇L_s·(α⊙v) gives the Hessian-vector product
/// exactly, through every op of the model.
/// </summary>
public static class SecondOrderMetaGradient
{
    /// <summary>
    /// <paramref name="metaGradient"/> (holding v on entry) ← v − H_s(θ)·(α⊙v), with θ = <paramref name="weights"/>.
    /// <paramref name="supportLoss"/> must rebuild the support loss exactly as the inner step saw it. Uses the store's
    /// gradient buffer as scratch.
    /// </summary>
    public static void Apply(ContinualContext ctx, Tensor weights, Func<Tensor> supportLoss, Tensor? perParameterRate, double rate, Tensor metaGradient)
    {
        var store = ctx.Parameters;
        using var bound = store.Bind(weights);
        using var scope = TensorScope.Begin();
        var direction = perParameterRate is null ? Ops.Scale(metaGradient, rate) : Ops.Mul(perParameterRate, metaGradient);
        var leaves = store.Parameters.Select(p => p.Value).ToArray();
        var gradients = GradTape.Current.Gradients(supportLoss(), leaves);
        Tensor? inner = null;
        for (var i = 0; i < leaves.Length; i++)
        {
            if (!gradients[i].RequiresGrad)
            {
                continue; // the support gradient of this parameter does not depend on θ: no curvature term
            }
            var term = Ops.SumAll(Ops.Mul(gradients[i], ParameterStore.ViewIn(direction, store.Parameters[i])));
            inner = inner is null ? term : Ops.Add(inner, term);
        }
        store.ZeroGrad();
        if (inner is null)
        {
            GradTape.Current.Clear();
            return;
        }
        GradTape.Current.Backward(inner);
        VectorOps.Axpy(-1, store.Grad, metaGradient);
    }

    /// <summary>Runs <paramref name="forward"/> with the model's dropout masks redrawn from <paramref name="offset"/>, leaving the stream where it was.</summary>
    public static Tensor WithDropoutFrom(ContinualContext ctx, ulong offset, Func<Tensor> forward)
    {
        var generator = ctx.Model.DropoutGenerator;
        var now = generator.Offset;
        generator.Restore(offset);
        try
        {
            return forward();
        }
        finally
        {
            generator.Restore(now);
        }
    }
}
