using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// The upper-bound reference: every step trains on real data of all tasks seen so far (the batch split evenly across
/// them), so nothing needs to be remembered. Not a continual method: it reads old tasks' data.
/// </summary>
public sealed class JointTraining : IContinualMethod
{
    public string Id => "joint";

    public void BeginTask(ContinualContext ctx, int task)
    {
        if (ctx.Hyper.ResetOptimizerPerTask)
        {
            ctx.Optimizer.Reset();
        }
    }

    public StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        var h = ctx.Hyper;
        var seen = task + 1;
        TrainingBatch? batch = null;
        for (var j = 0; j < seen; j++)
        {
            var share = h.BatchSize / seen + (j < h.BatchSize % seen ? 1 : 0);
            if (share == 0)
            {
                continue;
            }
            var part = ctx.Stream[j].NextBatch(share);
            batch = batch is null ? part : TrainingBatch.Concat(batch, part);
        }
        var loss = DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, batch!));
        if (h.GradientClip > 0)
        {
            GradientClipping.ClipGlobalNorm(ctx.Parameters.Grad, h.GradientClip);
        }
        ctx.Optimizer.Step();
        return new StepStats(loss);
    }

    public void EndTask(ContinualContext ctx, int task)
    {
    }

    public MethodState SaveState() => new();

    public void LoadState(ContinualContext ctx, MethodState state)
    {
    }
}
