using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Follow The Meta Leader (Finn et al. 2019), first-order, with generative replay in place of experience replay (as in
/// the paper): φ = θ − α·∇L(support; θ) (one SGD step, α = 1e-4), then Adam on θ with the first-order meta-gradient
/// ∇_φ L(query; φ). Adam is created once for the run (the authors' FTML script).
/// </summary>
public sealed class Ftml : GenerativeReplayMethod
{
    private Tensor? _fast;

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
        var supportLoss = DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, support));
        _fast!.CopyFrom(store.Data);
        VectorOps.Axpy(-ctx.Hyper.InnerLearningRate, store.Grad, _fast);
        double queryLoss;
        using (store.Bind(_fast))
        {
            queryLoss = DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, query));
        }
        if (ctx.Hyper.GradientClip > 0)
        {
            GradientClipping.ClipGlobalNorm(store.Grad, ctx.Hyper.GradientClip);
        }
        ctx.Optimizer.Step();
        return new StepStats(queryLoss, new Dictionary<string, double> { ["support_loss"] = supportLoss });
    }
}
