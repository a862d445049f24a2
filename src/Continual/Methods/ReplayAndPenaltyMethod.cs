using System.Globalization;
using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// The family of the paper's eq. 8: L = L_diff(current ∪ replay) + w·L_distill(replay) + λ·L_EWC, one Adam step.
/// Finetuning uses neither term, EWC only the Fisher penalty, Replay only generative distillation, Trust Region both.
/// Between tasks: a Fisher estimate per finished task (kept for all tasks) and a teacher + replay pool (replaced).
/// </summary>
public abstract class ReplayAndPenaltyMethod : GenerativeReplayMethod
{
    protected ReplayAndPenaltyMethod(bool replay, FisherForm? penalty)
    {
        UsesReplay = replay;
        PenaltyForm = penalty;
    }

    public bool UsesReplay { get; }

    public FisherForm? PenaltyForm { get; }

    public FisherPenalty? Penalty { get; private set; }

    public override void BeginTask(ContinualContext ctx, int task)
    {
        if (PenaltyForm is { } form && Penalty is null)
        {
            Penalty = new FisherPenalty(form, ctx.Hyper.EwcLambda);
        }
        if (ctx.Hyper.ResetOptimizerPerTask)
        {
            ctx.Optimizer.Reset();
        }
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        var h = ctx.Hyper;
        var real = ctx.Stream[task].NextBatch(h.BatchSize);
        var extra = new Dictionary<string, double>();
        double value;
        if (ctx.Collective.Size > 1)
        {
            value = UsesReplay && Memory.Pool is not null
                ? DataParallel.BackwardWithReplay(ctx, real, Memory.Next(ctx, (int)Math.Round(h.ReplayRatio * h.BatchSize)), Memory.Teacher!, h.DistillationWeight)
                : DataParallel.Backward(ctx, real);
        }
        else
        {
            value = SingleRankBackward(ctx, real);
        }
        if (Penalty is { Tasks.Count: > 0 })
        {
            extra["ewc_penalty"] = Penalty.AddGradient(ctx.Parameters.Data, ctx.Parameters.Grad);
        }
        if (h.GradientClip > 0)
        {
            extra["grad_norm"] = GradientClipping.ClipGlobalNorm(ctx.Parameters.Grad, h.GradientClip);
        }
        ctx.Optimizer.Step();
        return new StepStats(value, extra);
    }

    private double SingleRankBackward(ContinualContext ctx, TrainingBatch real)
    {
        var h = ctx.Hyper;
        Tensor loss;
        if (UsesReplay && Memory.Pool is not null)
        {
            var replay = Memory.Next(ctx, (int)Math.Round(h.ReplayRatio * h.BatchSize));
            var combined = TrainingBatch.Concat(real, replay);
            loss = DiffusionObjective.Loss(ctx, combined);
            if (h.DistillationWeight > 0)
            {
                var distill = DiffusionObjective.DistillationLoss(ctx, replay, Memory.Teacher!);
                loss = loss + distill * h.DistillationWeight;
            }
        }
        else
        {
            loss = DiffusionObjective.Loss(ctx, real);
        }
        return DiffusionObjective.Backward(ctx, loss);
    }

    public override void EndTask(ContinualContext ctx, int task)
    {
        if (task == ctx.Stream.Count - 1)
        {
            return;
        }
        if (Penalty is not null)
        {
            Penalty.Add(FisherEstimate.Estimate(ctx, task, ctx.Hyper.FisherSamples));
        }
        if (UsesReplay)
        {
            base.EndTask(ctx, task);
        }
    }

    protected override void SaveOwnState(MethodState state)
    {
        if (Penalty is not null)
        {
            state.Values["fisher.count"] = Penalty.Tasks.Count.ToString(CultureInfo.InvariantCulture);
            for (var k = 0; k < Penalty.Tasks.Count; k++)
            {
                var f = Penalty.Tasks[k];
                state.Tensors[$"fisher.{k}.mean"] = f.Mean;
                state.Tensors[$"fisher.{k}.diagonal"] = f.Diagonal;
                state.Tensors[$"fisher.{k}.anchor"] = f.Anchor;
                state.Values[$"fisher.{k}.scale"] = f.Scale.ToString("R", CultureInfo.InvariantCulture);
                state.Values[$"fisher.{k}.samples"] = f.Samples.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    protected override void LoadOwnState(ContinualContext ctx, MethodState state)
    {
        if (PenaltyForm is { } form)
        {
            Penalty = new FisherPenalty(form, ctx.Hyper.EwcLambda);
            var count = int.Parse(state.Values.GetValueOrDefault("fisher.count", "0"), CultureInfo.InvariantCulture);
            for (var k = 0; k < count; k++)
            {
                Penalty.Add(FisherEstimate.Restore(
                    state.Tensors[$"fisher.{k}.mean"], state.Tensors[$"fisher.{k}.diagonal"],
                    double.Parse(state.Values[$"fisher.{k}.scale"], CultureInfo.InvariantCulture),
                    state.Tensors[$"fisher.{k}.anchor"], int.Parse(state.Values[$"fisher.{k}.samples"], CultureInfo.InvariantCulture)));
            }
        }
    }
}
