using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Follow The Meta Leader (Finn et al. 2019) with generative replay in place of experience replay (as in the paper):
/// φ = θ − α·∇L(support; θ) (one SGD step, α = 1e-4), then Adam on θ with the meta-gradient. First-order (the paper's
/// runs): ∇_φ L(query; φ). Second-order (<see cref="MetaGradientOrder.SecondOrder"/>): the exact
/// ∂L(query; φ(θ))/∂θ = (I − α·H_support(θ))·∇_φ L(query; φ), see <see cref="SecondOrderMetaGradient"/>.
/// Adam is created once for the run (the authors' FTML script).
/// </summary>
public sealed class Ftml : GenerativeReplayMethod
{
    private Tensor? _fast;
    private Tensor? _metaGrad;

    public override string Id => "ftml";

    public override void BeginTask(ContinualContext ctx, int task)
    {
        _fast ??= ctx.Parameters.NewFlat();
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        _fast ??= ctx.Parameters.NewFlat();
        var (support, query) = MetaBatch.Draw(ctx, task, Memory);
        var store = ctx.Parameters;
        var supportDraw = NoiseDraw.Sample(ctx.Schedule, support.X0, ctx.Noise);
        var dropout = ctx.Model.DropoutGenerator.Offset;
        Tensor SupportLoss()
        {
            ctx.Model.Training = true;
            return DenoisingLoss.Compute(ctx.Model, ctx.Schedule, support.X0, support.Condition, supportDraw);
        }
        var supportLoss = DiffusionObjective.Backward(ctx, SupportLoss());
        _fast!.CopyFrom(store.Data);
        VectorOps.Axpy(-ctx.Hyper.InnerLearningRate, store.Grad, _fast);
        double queryLoss;
        using (store.Bind(_fast))
        {
            queryLoss = DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, query));
        }
        if (ctx.Hyper.MetaGradient == MetaGradientOrder.SecondOrder)
        {
            _metaGrad ??= store.NewFlat();
            _metaGrad.CopyFrom(store.Grad);
            SecondOrderMetaGradient.Apply(ctx, store.Data, () => SecondOrderMetaGradient.WithDropoutFrom(ctx, dropout, SupportLoss), null, ctx.Hyper.InnerLearningRate, _metaGrad);
            store.Grad.CopyFrom(_metaGrad);
        }
        if (ctx.Hyper.GradientClip > 0)
        {
            GradientClipping.ClipGlobalNorm(store.Grad, ctx.Hyper.GradientClip);
        }
        ctx.Optimizer.Step();
        return new StepStats(queryLoss, new Dictionary<string, double> { ["support_loss"] = supportLoss });
    }
}
