using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// La-MAML (Gupta et al. 2020), first-order, and its fixed-learning-rate ablation C-MAML, with generative replay as the
/// memory. The current batch is split into chunks; the fast weights take one clamped SGD step per chunk with
/// per-parameter learning rates α, and after each the meta-loss on Q = batch ∪ replay is taken at the fast weights:
///   g_c = clamp(∇L(chunk_c; φ_{c−1}), ±clip),  φ_c = φ_{c−1} − α⊙g_c,  L_meta = mean_c L(Q; φ_c).
/// First-order gradients: ∂L_meta/∂θ ≈ mean_c ∇L(Q; φ_c),  ∂L_meta/∂α = mean_c (−Σ_{c′≤c} g_{c′}) ⊙ ∇L(Q; φ_c).
/// La-MAML: α ← α − η_α·∂L/∂α, then θ ← θ − max(α, 0)⊙∂L/∂θ (asynchronous update).
/// C-MAML: α is a fixed scalar and θ ← θ − η·∂L/∂θ.
/// </summary>
public sealed class LaMaml(bool learnRates) : GenerativeReplayMethod
{
    private Tensor? _alpha;
    private Tensor? _fast;
    private Tensor? _cumulative;
    private Tensor? _metaTheta;
    private Tensor? _metaAlpha;

    public override string Id => learnRates ? "la-maml" : "c-maml";

    public override void BeginTask(ContinualContext ctx, int task)
    {
        if (_alpha is null)
        {
            var store = ctx.Parameters;
            _alpha = store.NewFlat();
            _alpha.Fill(ctx.Hyper.LaMamlInitialLearningRate);
            _fast = store.NewFlat();
            _cumulative = store.NewFlat();
            _metaTheta = store.NewFlat();
            _metaAlpha = store.NewFlat();
        }
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        BeginTask(ctx, task);
        var h = ctx.Hyper;
        var store = ctx.Parameters;
        var batch = ctx.Stream[task].NextBatch(h.BatchSize);
        var query = Memory.Pool is null ? batch : TrainingBatch.Concat(batch, Memory.Next(ctx, Math.Max(1, (int)Math.Round(h.ReplayRatio * h.BatchSize))));
        var chunks = Math.Max(1, Math.Min(h.LaMamlChunks, batch.Size));
        var chunk = (batch.Size + chunks - 1) / chunks;
        _fast!.CopyFrom(store.Data);
        _cumulative!.Fill(0);
        _metaTheta!.Fill(0);
        _metaAlpha!.Fill(0);
        var metaLoss = 0.0;
        var count = 0;
        for (var start = 0; start < batch.Size; start += chunk, count++)
        {
            using var scope = TensorScope.Begin();
            var part = batch.Slice(start, Math.Min(chunk, batch.Size - start));
            using (store.Bind(_fast))
            {
                DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, part));
            }
            var g = Ops.Clamp(store.Grad, -h.LaMamlGradientClamp, h.LaMamlGradientClamp);
            VectorOps.Axpy(1, g, _cumulative);
            VectorOps.Axpy(-1, _alpha! * g, _fast);
            using (store.Bind(_fast))
            {
                metaLoss += DiffusionObjective.Backward(ctx, DiffusionObjective.Loss(ctx, query));
            }
            VectorOps.Axpy(1, store.Grad, _metaTheta);
            VectorOps.Axpy(-1, _cumulative * store.Grad, _metaAlpha);
        }
        VectorOps.ScaleInPlace(_metaTheta, 1.0 / count);
        VectorOps.ScaleInPlace(_metaAlpha, 1.0 / count);
        GradientClipping.ClipGlobalNorm(_metaTheta, h.GradientClip > 0 ? h.GradientClip : 2.0);
        using (var scope = TensorScope.Begin())
        {
            if (learnRates)
            {
                GradientClipping.ClipGlobalNorm(_metaAlpha, 1.0);
                VectorOps.Axpy(-h.LearningRateLearningRate, _metaAlpha, _alpha!);
                VectorOps.Axpy(-1, Ops.Relu(_alpha!) * _metaTheta, store.Data);
            }
            else
            {
                Sgd.Step(store.Data, _metaTheta, h.CMamlOuterLearningRate);
            }
        }
        return new StepStats(metaLoss / count);
    }

    protected override void SaveOwnState(MethodState s)
    {
        if (_alpha is not null)
        {
            s.Tensors["lamaml.alpha"] = _alpha;
        }
    }

    protected override void LoadOwnState(ContinualContext ctx, MethodState state)
    {
        if (state.Tensors.TryGetValue("lamaml.alpha", out var alpha))
        {
            BeginTask(ctx, 0);
            _alpha!.CopyFrom(alpha);
        }
    }
}
