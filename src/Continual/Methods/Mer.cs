using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Meta-Experience Replay (Riemer et al. 2019), adapted to diffusion mini-batches with generative replay as memory
/// (consistent with the paper's replacement of experience replay). One step:
///   θ_A ← θ; repeat S times: B = current batch ∪ replay; θ_W ← θ; for each of the chunks of B: θ ← θ − α·∇L(chunk; θ);
///   θ ← θ_W + β·(θ − θ_W)   (within-batch Reptile);
///   finally θ ← θ_A + γ·(θ − θ_A)   (across-batch Reptile).
/// Plain SGD inner steps, no Adam.
/// </summary>
public sealed class Mer : GenerativeReplayMethod
{
    private Tensor? _across;
    private Tensor? _within;

    public override string Id => "mer";

    public override void BeginTask(ContinualContext ctx, int task)
    {
        _across ??= ctx.Parameters.NewFlat();
        _within ??= ctx.Parameters.NewFlat();
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        BeginTask(ctx, task);
        var h = ctx.Hyper;
        var store = ctx.Parameters;
        _across!.CopyFrom(store.Data);
        var loss = 0.0;
        var updates = 0;
        for (var s = 0; s < h.MerBatchesPerStep; s++)
        {
            using var scope = TensorScope.Begin();
            var batch = ctx.Stream[task].NextBatch(Math.Max(1, h.BatchSize / h.MerBatchesPerStep));
            if (Memory.Pool is not null)
            {
                batch = TrainingBatch.Concat(batch, Memory.Next(ctx, Math.Max(1, (int)Math.Round(h.ReplayRatio * batch.Size))));
            }
            _within!.CopyFrom(store.Data);
            var chunk = Math.Max(1, (batch.Size + h.MerChunks - 1) / h.MerChunks);
            for (var start = 0; start < batch.Size; start += chunk)
            {
                using var inner = TensorScope.Begin();
                var part = batch.Slice(start, Math.Min(chunk, batch.Size - start));
                loss += DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, part));
                if (h.GradientClip > 0)
                {
                    GradientClipping.ClipGlobalNorm(store.Grad, h.GradientClip);
                }
                Sgd.Step(store.Data, store.Grad, h.MerInnerLearningRate);
                updates++;
            }
            // θ ← θ_W + β(θ − θ_W) = β·θ + (1 − β)·θ_W
            VectorOps.Axpby(1 - h.MerWithinBatchBeta, _within, h.MerWithinBatchBeta, store.Data);
        }
        VectorOps.Axpby(1 - h.MerAcrossBatchGamma, _across, h.MerAcrossBatchGamma, store.Data);
        return new StepStats(loss / Math.Max(1, updates));
    }
}
