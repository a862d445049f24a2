using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Averaged GEM (Chaudhry et al. 2019) with generated samples as the episodic memory: g = ∇L(current batch),
/// g_ref = ∇L(memory batch); if gᵀg_ref &lt; 0 then g ← g − (gᵀg_ref / g_refᵀg_ref)·g_ref; one Adam step with g.
/// </summary>
public sealed class AGem : GenerativeReplayMethod
{
    private Tensor? _reference;

    public override string Id => "a-gem";


    public override void BeginTask(ContinualContext ctx, int task)
    {
        _reference ??= ctx.Parameters.NewFlat();
        if (ctx.Hyper.ResetOptimizerPerTask)
        {
            ctx.Optimizer.Reset();
        }
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        _reference ??= ctx.Parameters.NewFlat();
        var h = ctx.Hyper;
        var store = ctx.Parameters;
        var projected = 0.0;
        if (Memory.Pool is not null)
        {
            using var scope = TensorScope.Begin();
            var memory = Memory.Pool.Random(h.BatchSize, ctx.Sampling);
            DiffusionObjective.GradientInto(ctx, DiffusionObjective.Loss(ctx, memory), _reference!);
        }
        var loss = DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, ctx.Stream[task].NextBatch(h.BatchSize)));
        if (Memory.Pool is not null)
        {
            var dot = VectorOps.Dot(store.Grad, _reference!);
            if (dot < 0)
            {
                var norm2 = VectorOps.SquaredNorm(_reference!);
                VectorOps.Axpy(-dot / Math.Max(norm2, 1e-30), _reference!, store.Grad);
                projected = 1;
            }
        }
        if (h.GradientClip > 0)
        {
            GradientClipping.ClipGlobalNorm(store.Grad, h.GradientClip);
        }
        ctx.Optimizer.Step();
        return new StepStats(loss, new Dictionary<string, double> { ["projected"] = projected });
    }
}
