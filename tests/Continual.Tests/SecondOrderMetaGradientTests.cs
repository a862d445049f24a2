using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models.Diffusion;
using static NativeTrustRegion.Continual.Tests.MethodHarness;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// FTML and VR-MCL with <see cref="MetaGradientOrder.SecondOrder"/>: the meta-gradient a step hands to Adam equals
/// float64 central differences of the adapted loss F(θ) = L_query(θ − α⊙∇L_support(θ)) (the inner step's gradient
/// computed here by an ordinary backward pass at θ ± h·e_i), with the step's own data and noise draws.
/// </summary>
public class SecondOrderMetaGradientTests
{
    private const double Step = 1e-6;

    private static Hyperparameters Hyper => new()
    {
        BatchSize = 8,
        LearningRate = 1e-2,
        ReplayPoolPerTask = 8,
        ReplayDdimSteps = 3,
        ReplayGenerationBatch = 8,
        ReplayRatio = 0.5,
        InnerLearningRate = 0.05,
        GradientClip = 1e12,
        MetaGradient = MetaGradientOrder.SecondOrder,
    };

    [Fact]
    public void FtmlSecondOrderMetaGradientMatchesCentralDifferencesOfTheAdaptedLoss()
    {
        var h = new MethodHarness(Hyper);
        var method = new Ftml();
        method.BeginTask(h.Context, 0);
        var snap = h.Take();
        method.Step(h.Context, 0, 1);
        var actual = h.Context.Parameters.Grad.ToDoubleArray();

        h.Rewind(snap);
        var batch = h.Stream[0].NextBatch(8);
        var support = batch.Slice(0, 4);
        var query = batch.Slice(4, 4);
        var ds = NoiseDraw.Sample(h.Context.Schedule, support.X0, h.Context.Noise);
        var dq = NoiseDraw.Sample(h.Context.Schedule, query.X0, h.Context.Noise);
        var alpha = Enumerable.Repeat(0.05, snap.Weights.Length).ToArray();
        CheckAgainstCentralDifferences(h, snap.Weights, alpha, support, ds, query, dq, actual);
    }

    [Fact]
    public void VrMclSecondOrderMetaGradientsMatchCentralDifferencesOfTheAdaptedLosses()
    {
        // step 1: g̃ = g(θ₀) with α₀ = inner LR; step 2: g̃ = g(θ₁) + r·(g̃₁ − g(θ_cv,1)), both tracks with α₁ — each g the
        // exact meta-gradient of its track, by central differences; θ₁, θ_cv,1 and α₁ are read after step 1
        const double r = 0.8;
        var h = new MethodHarness(Hyper with { VrMclMomentum = r, LearningRateLearningRate = 0.01 });
        var ctx = h.Context;
        var method = new VrMcl();
        method.BeginTask(ctx, 0);
        var start = h.Take();
        method.Step(ctx, 0, 1);
        var g1Actual = ctx.Parameters.Grad.ToDoubleArray();
        var theta1 = ctx.Parameters.Data.ToDoubleArray();
        var state = method.SaveState();
        var ema1 = state.Tensors["vrmcl.ema"].ToDoubleArray();
        var alpha1 = state.Tensors["vrmcl.alpha"].ToDoubleArray();
        var afterStep1 = h.Take();
        method.Step(ctx, 0, 2);
        var g2Actual = ctx.Parameters.Grad.ToDoubleArray();

        h.Rewind(start);
        var (s1, ds1, q1, dq1) = Draw(h);
        var alpha0 = Enumerable.Repeat(Hyper.InnerLearningRate, start.Weights.Length).ToArray();
        var g1 = CheckAgainstCentralDifferences(h, start.Weights, alpha0, s1, ds1, q1, dq1, g1Actual);

        h.Rewind(afterStep1);
        var (s2, ds2, q2, dq2) = Draw(h);
        var g2 = MetaGradientByCentralDifferences(h, theta1, alpha1, s2, ds2, q2, dq2);
        var g2Cv = MetaGradientByCentralDifferences(h, ema1, alpha1, s2, ds2, q2, dq2);
        var expected = g2.Select((v, i) => v + r * (g1[i] - g2Cv[i])).ToArray();
        Close(expected, g2Actual, 1e-7);
    }

    /// <summary>The step's batch split and draws in VR-MCL's order: query noise first, then support noise.</summary>
    private static (TrainingBatch Support, NoiseDraw Ds, TrainingBatch Query, NoiseDraw Dq) Draw(MethodHarness h)
    {
        var batch = h.Stream[0].NextBatch(8);
        var support = batch.Slice(0, 4);
        var query = batch.Slice(4, 4);
        var dq = NoiseDraw.Sample(h.Context.Schedule, query.X0, h.Context.Noise);
        var ds = NoiseDraw.Sample(h.Context.Schedule, support.X0, h.Context.Noise);
        return (support, ds, query, dq);
    }

    private static double[] CheckAgainstCentralDifferences(MethodHarness h, double[] theta, double[] alpha, TrainingBatch support, NoiseDraw ds,
        TrainingBatch query, NoiseDraw dq, double[] actual)
    {
        var expected = MetaGradientByCentralDifferences(h, theta, alpha, support, ds, query, dq);
        Close(expected, actual, 1e-7);
        // the second-order term is not negligible: the first-order meta-gradient ∇L_q(θ') differs from it
        var gs = h.Gradient(theta, support, ds);
        var firstOrder = h.Gradient(theta.Select((w, i) => w - alpha[i] * gs[i]).ToArray(), query, dq);
        var difference = firstOrder.Select((v, i) => v - expected[i]).ToArray();
        Assert.True(Dot(difference, difference) > 1e-6 * Dot(expected, expected),
            $"‖first-order − second-order‖² = {Dot(difference, difference):G3} against ‖meta-gradient‖² = {Dot(expected, expected):G3}");
        return expected;
    }

    /// <summary>∂F/∂θ_i by (F(θ + h·e_i) − F(θ − h·e_i)) / 2h with F(θ) = L_q(θ − α⊙∇L_s(θ)).</summary>
    private static double[] MetaGradientByCentralDifferences(MethodHarness h, double[] theta, double[] alpha, TrainingBatch support, NoiseDraw ds,
        TrainingBatch query, NoiseDraw dq)
    {
        double AdaptedLoss(double[] w)
        {
            var gs = h.Gradient(w, support, ds);
            return Loss(h, w.Select((v, i) => v - alpha[i] * gs[i]).ToArray(), query, dq);
        }
        var result = new double[theta.Length];
        for (var i = 0; i < theta.Length; i++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[i] += Step;
            minus[i] -= Step;
            result[i] = (AdaptedLoss(plus) - AdaptedLoss(minus)) / (2 * Step);
        }
        return result;
    }

    private static double Loss(MethodHarness h, double[] weights, TrainingBatch batch, NoiseDraw draw)
    {
        var store = h.Context.Parameters;
        using var bound = store.Bind(h.Flat(weights));
        using var untracked = GradMode.NoGrad();
        return DenoisingLoss.Compute(h.Model, h.Context.Schedule, batch.X0, batch.Condition, draw).Item();
    }
}
