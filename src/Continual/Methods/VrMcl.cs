using System.Globalization;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Variance-reduced meta-continual learning (Wu et al. 2024) with generative replay (as in the paper); first-order
/// (the paper's runs) or, with <see cref="MetaGradientOrder.SecondOrder"/>, g and g_cv replaced by the exact
/// meta-gradients (I − H_support·diag(α))·g of their tracks (<see cref="SecondOrderMetaGradient"/>).
/// Two tracks take the same inner step with shared per-parameter learning rates α: the weights θ and a control variate
/// θ_cv (an EMA of θ, decay 0.9, as in the TRCL authors' code). With the SAME query draw for both,
///   g = ∇L(query; θ − α⊙∇L(support; θ)),  g_cv = ∇L(query; θ_cv − α⊙∇L(support; θ_cv)),
///   g̃ = g + r·(g̃_prev − g_cv)   (STORM-style variance reduction; the first call uses g̃ = g),
/// Adam on θ with g̃ (outer LR 2e-4); α ← α − η_α·∂L/∂α with ∂L/∂α = −(∇L_s ⊙ g + ∇L_s,cv ⊙ g_cv) (exact in both
/// orders: α enters only through the inner step, so it uses the query gradients g at the adapted weights).
/// </summary>
public sealed class VrMcl : GenerativeReplayMethod
{
    private const double ClipNorm = 2.0;
    private Tensor? _alpha;
    private Tensor? _ema;
    private Tensor? _momentum;
    private Tensor? _fast;
    private Tensor? _supportGrad;
    private Tensor? _supportGradCv;
    private Tensor? _metaGrad;
    private Tensor? _metaGradCv;
    private bool _hasMomentum;

    public override string Id => "vrmcl";

    public override void BeginTask(ContinualContext ctx, int task)
    {
        var store = ctx.Parameters;
        if (_alpha is null)
        {
            _alpha = store.NewFlat();
            _alpha.Fill(ctx.Hyper.InnerLearningRate);
            _ema = store.NewFlat();
            _ema.CopyFrom(store.Data);
            _momentum = store.NewFlat();
            _fast = store.NewFlat();
            _supportGrad = store.NewFlat();
            _supportGradCv = store.NewFlat();
            _metaGrad = store.NewFlat();
            _metaGradCv = store.NewFlat();
        }
    }

    public override StepStats Step(ContinualContext ctx, int task, int stepInTask)
    {
        BeginTask(ctx, task);
        var h = ctx.Hyper;
        var store = ctx.Parameters;
        var (support, query) = MetaBatch.Draw(ctx, task, Memory);
        var queryDraw = NoiseDraw.Sample(ctx.Schedule, query.X0, ctx.Noise);
        var supportDraw = NoiseDraw.Sample(ctx.Schedule, support.X0, ctx.Noise);
        var dropout = ctx.Model.DropoutGenerator.Offset;
        var queryLoss = Track(ctx, store.Data, support, supportDraw, query, queryDraw, _supportGrad!, _metaGrad!);
        var dropoutCv = ctx.Model.DropoutGenerator.Offset;
        Track(ctx, _ema!, support, supportDraw, query, queryDraw, _supportGradCv!, _metaGradCv!);

        // learning rates: ∂L/∂α = −(g_s ⊙ g + g_s,cv ⊙ g_cv), clipped, SGD
        using (var scope = TensorScope.Begin())
        {
            var gradAlpha = -(_supportGrad! * _metaGrad! + _supportGradCv! * _metaGradCv!);
            GradientClipping.ClipGlobalNorm(gradAlpha, ClipNorm);
            if (h.MetaGradient == MetaGradientOrder.SecondOrder)
            {
                // with the α of the inner steps, before it moves
                Tensor SupportLoss() => DenoisingLoss.Compute(ctx.Model, ctx.Schedule, support.X0, support.Condition, supportDraw);
                ctx.Model.Training = true;
                SecondOrderMetaGradient.Apply(ctx, store.Data, () => SecondOrderMetaGradient.WithDropoutFrom(ctx, dropout, SupportLoss), _alpha, 0, _metaGrad!);
                SecondOrderMetaGradient.Apply(ctx, _ema!, () => SecondOrderMetaGradient.WithDropoutFrom(ctx, dropoutCv, SupportLoss), _alpha, 0, _metaGradCv!);
            }
            VectorOps.Axpy(-h.LearningRateLearningRate, gradAlpha, _alpha!);
        }

        // variance-reduced meta-gradient
        if (_hasMomentum)
        {
            // g̃ = g + r·(g̃_prev − g_cv)
            VectorOps.Axpby(-h.VrMclMomentum, _metaGradCv!, h.VrMclMomentum, _momentum!);
            VectorOps.Axpy(1.0, _metaGrad!, _momentum!);
        }
        else
        {
            _momentum!.CopyFrom(_metaGrad!);
            _hasMomentum = true;
        }
        store.Grad.CopyFrom(_momentum!);
        GradientClipping.ClipGlobalNorm(store.Grad, h.GradientClip > 0 ? h.GradientClip : ClipNorm);
        ctx.Optimizer.Step();
        VectorOps.Axpby(1 - h.VrMclEmaDecay, store.Data, h.VrMclEmaDecay, _ema!);
        return new StepStats(queryLoss);
    }

    /// <summary>One track: support gradient at <paramref name="weights"/>, inner step with α, query gradient at the adapted weights.</summary>
    private double Track(ContinualContext ctx, Tensor weights, TrainingBatch support, NoiseDraw supportDraw, TrainingBatch query, NoiseDraw queryDraw, Tensor supportGrad, Tensor metaGrad)
    {
        var store = ctx.Parameters;
        using (store.Bind(weights))
        {
            ctx.Model.Training = true;
            DiffusionObjective.GradientInto(ctx, DenoisingLoss.Compute(ctx.Model, ctx.Schedule, support.X0, support.Condition, supportDraw), supportGrad);
        }
        using (var scope = TensorScope.Begin())
        {
            var step = _alpha! * supportGrad;
            _fast!.CopyFrom(weights);
            VectorOps.Axpy(-1, step, _fast);
        }
        using (store.Bind(_fast!))
        {
            ctx.Model.Training = true;
            return DiffusionObjective.GradientInto(ctx, DenoisingLoss.Compute(ctx.Model, ctx.Schedule, query.X0, query.Condition, queryDraw), metaGrad);
        }
    }

    protected override void SaveOwnState(MethodState s)
    {
        if (_alpha is not null)
        {
            s.Tensors["vrmcl.alpha"] = _alpha;
            s.Tensors["vrmcl.ema"] = _ema!;
            s.Tensors["vrmcl.momentum"] = _momentum!;
            s.Values["vrmcl.has_momentum"] = _hasMomentum.ToString(CultureInfo.InvariantCulture);
        }
    }

    protected override void LoadOwnState(ContinualContext ctx, MethodState state)
    {
        if (state.Tensors.TryGetValue("vrmcl.alpha", out var alpha))
        {
            BeginTask(ctx, 0);
            _alpha!.CopyFrom(alpha);
            _ema!.CopyFrom(state.Tensors["vrmcl.ema"]);
            _momentum!.CopyFrom(state.Tensors["vrmcl.momentum"]);
            _hasMomentum = bool.Parse(state.Values["vrmcl.has_momentum"]);
        }
    }
}
