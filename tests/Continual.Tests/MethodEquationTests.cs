using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;
using static NativeTrustRegion.Continual.Tests.MethodHarness;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// One step of each method against its equation: the test rewinds the method's random draws and data cursors,
/// recomputes the gradients it needs independently (float64, same draws), applies the method's update rule by hand and
/// compares with what the method did.
/// </summary>
public class MethodEquationTests
{
    private static void TrainTask0(IContinualMethod method, MethodHarness h, int steps = 3)
    {
        method.BeginTask(h.Context, 0);
        for (var s = 1; s <= steps; s++)
        {
            method.Step(h.Context, 0, s);
        }
        method.EndTask(h.Context, 0);
        method.BeginTask(h.Context, 1);
    }

    private static Hyperparameters Hyper => new()
    {
        BatchSize = 6,
        LearningRate = 1e-2,
        EwcLambda = 50,
        FisherSamples = 8,
        ReplayPoolPerTask = 8,
        ReplayDdimSteps = 3,
        ReplayGenerationBatch = 8,
        ReplayRatio = 0.5,
        DistillationWeight = 0.7,
    };

    [Theory]
    [InlineData(FisherForm.Rank1)]
    [InlineData(FisherForm.Diagonal)]
    public void EwcGradientIsLossGradientPlusLambdaFisherTimesDisplacement(FisherForm form)
    {
        var h = new MethodHarness(Hyper);
        var method = new Ewc(form);
        TrainTask0(method, h);
        // right after the task ends θ = θ*, so move away first: the penalty is zero at the anchor
        method.Step(h.Context, 1, 1);
        method.Step(h.Context, 1, 2);
        var snap = h.Take();
        method.Step(h.Context, 1, 3);
        var actual = h.Context.Parameters.Grad.ToDoubleArray();

        h.Rewind(snap);
        var batch = h.Stream[1].NextBatch(Hyper.BatchSize);
        var g = h.Gradient(snap.Weights, batch, NoiseDraw.Sample(h.Context.Schedule, batch.X0, h.Context.Noise));
        var f = method.Penalty!.Tasks[0];
        var anchor = f.Anchor.ToDoubleArray();
        double[] expected;
        if (form == FisherForm.Rank1)
        {
            // λ·c·(μᵀ(θ − θ*))·μ
            var mu = f.Mean.ToDoubleArray();
            var d = Dot(mu, snap.Weights) - Dot(mu, anchor);
            expected = Axpy(Hyper.EwcLambda * f.Scale * d, mu, g);
        }
        else
        {
            // λ·F ⊙ (θ − θ*)
            var diag = f.Diagonal.ToDoubleArray();
            expected = g.Select((v, i) => v + Hyper.EwcLambda * diag[i] * (snap.Weights[i] - anchor[i])).ToArray();
        }
        Assert.True(Math.Abs(Dot(expected, expected) - Dot(g, g)) > 1e-12, "the penalty must change the gradient in this test");
        Close(expected, actual);
    }

    [Fact]
    public void Rank1FisherFromCollinearGradientsRecoversTheDirectionAndTheFisher()
    {
        var h = new MethodHarness(Hyper, collinear: true);
        var ctx = h.Context;
        var offset = ctx.Fisher.Offset;
        var estimate = FisherEstimate.Estimate(ctx, 0, 10);

        // replay both passes from the same generator position
        var gen = new Generator(ctx.Fisher.Seed, offset);
        var subset = h.Stream[0].Subset(10, gen);
        var pass1 = new List<double[]>();
        var pass2 = new List<double[]>();
        PerSampleGradients.ForEach(ctx, subset, gen, (_, g) => pass1.Add(g.ToDoubleArray()));
        PerSampleGradients.ForEach(ctx, subset, gen, (_, g) => pass2.Add(g.ToDoubleArray()));
        var p = pass1[0].Length;
        var mu = Enumerable.Range(0, p).Select(j => pass1.Average(g => g[j])).ToArray();
        var diag = Enumerable.Range(0, p).Select(j => pass1.Average(g => g[j] * g[j])).ToArray();
        var norm2 = Dot(mu, mu);
        var scale = pass2.Average(g => Dot(mu, g) * Dot(mu, g)) / (norm2 * norm2 + 1e-12);
        Close(mu, estimate.Mean.ToDoubleArray(), 1e-12);
        Close(diag, estimate.Diagonal.ToDoubleArray(), 1e-12);
        Assert.Equal(scale, estimate.Scale, 1e-9 * scale);

        // every per-sample gradient is a multiple of u, so μ ∥ u ...
        var u = h.Model.U.ToDoubleArray();
        var cosine = Dot(mu, u) / Math.Sqrt(norm2 * Dot(u, u));
        Assert.Equal(1.0, Math.Abs(cosine), 12);
        // ... and c*·μμᵀ is exactly the empirical Fisher E[g gᵀ] of the draws c* was fitted on
        double err = 0, total = 0;
        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b < p; b++)
            {
                var f = pass2.Average(g => g[a] * g[b]);
                err += Math.Pow(f - scale * mu[a] * mu[b], 2);
                total += f * f;
            }
        }
        Assert.True(Math.Sqrt(err / total) < 1e-10, $"relative Frobenius error {Math.Sqrt(err / total)}");
    }

    [Fact]
    public void FtmlUsesTheQueryGradientAtTheAdaptedWeights()
    {
        var hyper = Hyper with { BatchSize = 8, InnerLearningRate = 0.05 };
        var h = new MethodHarness(hyper);
        var method = new Ftml();
        method.BeginTask(h.Context, 0);
        var snap = h.Take();
        method.Step(h.Context, 0, 1);
        var actual = h.Context.Parameters.Grad.ToDoubleArray();

        h.Rewind(snap);
        var batch = h.Stream[0].NextBatch(8);
        var support = batch.Slice(0, 4);
        var query = batch.Slice(4, 4);
        var gs = h.Gradient(snap.Weights, support, NoiseDraw.Sample(h.Context.Schedule, support.X0, h.Context.Noise));
        var fast = Axpy(-0.05, gs, snap.Weights);
        var gq = h.Gradient(fast, query, NoiseDraw.Sample(h.Context.Schedule, query.X0, h.Context.Noise));
        Close(gq, actual);
    }

    [Fact]
    public void VrMclAppliesTheControlVariateAndLearnsTheInnerRates()
    {
        // two steps from a fresh method, every quantity recomputed here from the equations (nothing read from the
        // method's state): α₀ = inner LR, θ_cv,0 = θ₀; step 1 uses g̃ = g; step 2 the control variate
        const double innerLr = 0.05, r = 0.8, etaAlpha = 0.01, lr = 1e-2, emaDecay = 0.9;
        var hyper = Hyper with { BatchSize = 8, InnerLearningRate = innerLr, VrMclMomentum = r, LearningRateLearningRate = etaAlpha, GradientClip = 1e12, VrMclEmaDecay = emaDecay };
        var h = new MethodHarness(hyper);
        var ctx = h.Context;
        var method = new VrMcl();
        method.BeginTask(ctx, 0);
        var start = h.Take();
        method.Step(ctx, 0, 1);
        var theta1Actual = ctx.Parameters.Data.ToDoubleArray();
        method.Step(ctx, 0, 2);
        var actualGrad = ctx.Parameters.Grad.ToDoubleArray();
        var alpha2Actual = method.SaveState().Tensors["vrmcl.alpha"].ToDoubleArray();

        h.Rewind(start);
        var p = start.Weights.Length;
        var theta = (double[])start.Weights.Clone();
        var ema = (double[])start.Weights.Clone();
        var alpha = Enumerable.Repeat(innerLr, p).ToArray();
        double[]? momentum = null;
        double[] plain = [];
        double[] Clip(double[] v, double max)
        {
            var n = Math.Sqrt(Dot(v, v));
            return n > max ? v.Select(x => x * max / (n + 1e-6)).ToArray() : v;
        }
        for (var step = 1; step <= 2; step++)
        {
            var batch = h.Stream[0].NextBatch(8);
            var support = batch.Slice(0, 4);
            var query = batch.Slice(4, 4);
            var dq = NoiseDraw.Sample(ctx.Schedule, query.X0, ctx.Noise);
            var ds = NoiseDraw.Sample(ctx.Schedule, support.X0, ctx.Noise);
            var currentAlpha = alpha;
            (double[] Support, double[] Meta) Track(double[] w)
            {
                var gs = h.Gradient(w, support, ds);
                var fast = w.Select((v, i) => v - currentAlpha[i] * gs[i]).ToArray();
                return (gs, h.Gradient(fast, query, dq));
            }
            var (gs, g) = Track(theta);
            var (gsCv, gCv) = Track(ema);
            // α ← α − η_α·clip(−(g_s ⊙ g + g_s,cv ⊙ g_cv), 2)
            var gradAlpha = Clip(gs.Select((v, i) => -(v * g[i] + gsCv[i] * gCv[i])).ToArray(), 2.0);
            alpha = alpha.Select((a, i) => a - etaAlpha * gradAlpha[i]).ToArray();
            // g̃ = g (first step), g̃ = g + r·(g̃_prev − g_cv) afterwards
            var previous = momentum;
            plain = g;
            momentum = previous is null ? g : g.Select((v, i) => v + r * (previous[i] - gCv[i])).ToArray();
            if (step == 2)
            {
                break;
            }
            // first Adam step: θ ← θ − lr·g̃/(|g̃| + ε); θ_cv ← 0.9·θ_cv + 0.1·θ
            var m = momentum;
            theta = theta.Select((w, i) => w - lr * m[i] / (Math.Abs(m[i]) + 1e-8)).ToArray();
            ema = ema.Select((e, i) => emaDecay * e + (1 - emaDecay) * theta[i]).ToArray();
        }
        Close(theta, theta1Actual, 1e-9);
        Close(momentum!, actualGrad, 1e-8);
        Close(alpha, alpha2Actual, 1e-9);
        // the control-variate term is not negligible here: g̃₂ differs from the plain meta-gradient g₂
        var correction = momentum!.Select((v, i) => v - plain[i]).ToArray();
        Assert.True(Dot(correction, correction) > 1e-4 * Dot(plain, plain), $"‖r·(g̃₁ − g_cv)‖² = {Dot(correction, correction):G3}");
    }

    [Fact]
    public void MerTakesReptileStepsWithinAndAcrossBatches()
    {
        var hyper = Hyper with { BatchSize = 8, MerBatchesPerStep = 2, MerChunks = 2, MerInnerLearningRate = 0.05, MerWithinBatchBeta = 0.3, MerAcrossBatchGamma = 0.5 };
        var h = new MethodHarness(hyper);
        var method = new Mer();
        method.BeginTask(h.Context, 0);
        var snap = h.Take();
        method.Step(h.Context, 0, 1);
        var actual = h.Context.Parameters.Data.ToDoubleArray();

        h.Rewind(snap);
        var theta = (double[])snap.Weights.Clone();
        for (var s = 0; s < 2; s++)
        {
            var batch = h.Stream[0].NextBatch(4);
            var within = (double[])theta.Clone();
            for (var start = 0; start < 4; start += 2)
            {
                var part = batch.Slice(start, 2);
                var g = h.Gradient(theta, part, NoiseDraw.Sample(h.Context.Schedule, part.X0, h.Context.Noise));
                theta = Axpy(-0.05, g, theta);
            }
            theta = theta.Select((v, i) => within[i] + 0.3 * (v - within[i])).ToArray();
        }
        var expected = theta.Select((v, i) => snap.Weights[i] + 0.5 * (v - snap.Weights[i])).ToArray();
        Close(expected, actual);
    }

    [Fact]
    public void LaMamlClampsInnerGradientsAndUpdatesLearningRatesBeforeWeights()
    {
        var hyper = Hyper with { BatchSize = 6, LaMamlChunks = 2, LaMamlGradientClamp = 0.05, LaMamlInitialLearningRate = 0.1, LearningRateLearningRate = 0.5, GradientClip = 1e12 };
        var h = new MethodHarness(hyper);
        var method = new LaMaml(learnRates: true);
        method.BeginTask(h.Context, 0);
        var alpha0 = method.SaveState().Tensors["lamaml.alpha"].ToDoubleArray();
        var snap = h.Take();
        method.Step(h.Context, 0, 1);
        var actualTheta = h.Context.Parameters.Data.ToDoubleArray();
        var actualAlpha = method.SaveState().Tensors["lamaml.alpha"].ToDoubleArray();

        h.Rewind(snap);
        var ctx = h.Context;
        var batch = h.Stream[0].NextBatch(6);
        var p = snap.Weights.Length;
        var fast = (double[])snap.Weights.Clone();
        var cumulative = new double[p];
        var metaTheta = new double[p];
        var metaAlpha = new double[p];
        var clamped = 0;
        for (var start = 0; start < 6; start += 3)
        {
            var part = batch.Slice(start, 3);
            var g = h.Gradient(fast, part, NoiseDraw.Sample(ctx.Schedule, part.X0, ctx.Noise));
            clamped += g.Count(v => Math.Abs(v) > 0.05);
            g = g.Select(v => Math.Clamp(v, -0.05, 0.05)).ToArray();
            for (var i = 0; i < p; i++)
            {
                cumulative[i] += g[i];
                fast[i] -= alpha0[i] * g[i];
            }
            var gq = h.Gradient(fast, batch, NoiseDraw.Sample(ctx.Schedule, batch.X0, ctx.Noise));
            for (var i = 0; i < p; i++)
            {
                metaTheta[i] += gq[i] / 2;
                metaAlpha[i] -= cumulative[i] * gq[i] / 2;
            }
        }
        Assert.True(clamped > 0, "the clamp must be active in this test");
        var norm = Math.Sqrt(Dot(metaAlpha, metaAlpha));
        var clip = norm > 1.0 ? 1.0 / (norm + 1e-6) : 1.0;
        var alpha1 = alpha0.Select((a, i) => a - 0.5 * clip * metaAlpha[i]).ToArray();
        Close(alpha1, actualAlpha);
        var theta1 = snap.Weights.Select((w, i) => w - Math.Max(alpha1[i], 0) * metaTheta[i]).ToArray();
        Close(theta1, actualTheta);
    }

    [Fact]
    public void AGemProjectsOnlyConflictingGradients()
    {
        var h = new MethodHarness(Hyper with { LearningRate = 5e-2 });
        var method = new AGem();
        TrainTask0(method, h, steps: 40);
        var projectedSeen = 0;
        for (var step = 1; step <= 12; step++)
        {
            var snap = h.Take();
            var pool = method.Memory.Pool!;
            var stats = method.Step(h.Context, 1, step);
            var actual = h.Context.Parameters.Grad.ToDoubleArray();
            var after = h.Take();

            h.Rewind(snap);
            var ctx = h.Context;
            var memory = pool.Random(Hyper.BatchSize, ctx.Sampling);
            var gRef = h.Gradient(snap.Weights, memory, NoiseDraw.Sample(ctx.Schedule, memory.X0, ctx.Noise));
            var real = h.Stream[1].NextBatch(Hyper.BatchSize);
            var g = h.Gradient(snap.Weights, real, NoiseDraw.Sample(ctx.Schedule, real.X0, ctx.Noise));
            var dot = Dot(g, gRef);
            var expected = dot < 0 ? Axpy(-dot / Dot(gRef, gRef), gRef, g) : g;
            Close(expected, actual);
            Assert.Equal(dot < 0 ? 1.0 : 0.0, stats.Extra!["projected"]);
            if (dot < 0)
            {
                projectedSeen++;
                Assert.True(Dot(actual, gRef) > -1e-9, "a projected gradient must not conflict with the memory gradient");
            }
            h.Rewind(after);
        }
        // with ReplayRatio memory from another task the two gradients conflict at least once in twelve steps here
        Assert.True(projectedSeen > 0, "no conflicting step was seen, so the projection branch was not exercised");
    }

    [Fact]
    public void TrustRegionGradientIsReplayPlusDistillationPlusRank1Penalty()
    {
        var h = new MethodHarness(Hyper);
        var method = new TrustRegion();
        TrainTask0(method, h);
        method.Step(h.Context, 1, 1);
        var pool = method.Memory.Pool!;
        var poolCursor = pool.Cursor;
        var snap = h.Take();
        method.Step(h.Context, 1, 2);
        var actual = h.Context.Parameters.Grad.ToDoubleArray();

        h.Rewind(snap);
        pool.Restore(poolCursor.Epoch, poolCursor.Position, h.Context.Seed);
        var ctx = h.Context;
        var real = h.Stream[1].NextBatch(Hyper.BatchSize);
        var replay = pool.Next((int)Math.Round(Hyper.ReplayRatio * Hyper.BatchSize), ctx.Seed);
        var combined = TrainingBatch.Concat(real, replay);
        var gDiff = h.Gradient(snap.Weights, combined, NoiseDraw.Sample(ctx.Schedule, combined.X0, ctx.Noise));

        // distillation on the replay samples at independent (t′, ε′): MSE(ε̂_student, ε̂_teacher)
        var draw = NoiseDraw.Sample(ctx.Schedule, replay.X0, ctx.Noise);
        var xt = ctx.Schedule.AddNoise(replay.X0, draw.Noise, draw.Timesteps);
        var t = NoiseSchedule.TimestepTensor(draw.Timesteps, xt.DType, xt.Device);
        var target = method.Memory.Teacher!.PredictNoise(h.Model, xt, t, replay.Condition);
        var store = ctx.Parameters;
        var grad = store.NewFlat();
        using (store.Bind(h.Flat(snap.Weights), grad))
        {
            GradTape.Current.Backward(Ops.MseLoss(h.Model.PredictNoise(xt, t, replay.Condition), target));
        }
        var gDistill = grad.ToDoubleArray();

        var f = method.Penalty!.Tasks[0];
        var mu = f.Mean.ToDoubleArray();
        var d = Dot(mu, snap.Weights) - f.AnchorProjection;
        Assert.True(Math.Abs(d) > 1e-9, "θ must have left the anchor for the penalty to act");
        var expected = Axpy(Hyper.EwcLambda * f.Scale * d, mu, Axpy(Hyper.DistillationWeight, gDistill, gDiff));
        Close(expected, actual);
    }

    [Fact]
    public void FinetuneStepIsAdamOnTheLossGradient()
    {
        var h = new MethodHarness(Hyper);
        var method = new Finetune();
        method.BeginTask(h.Context, 0);
        var snap = h.Take();
        method.Step(h.Context, 0, 1);
        var actualTheta = h.Context.Parameters.Data.ToDoubleArray();

        h.Rewind(snap);
        var batch = h.Stream[0].NextBatch(Hyper.BatchSize);
        var g = h.Gradient(snap.Weights, batch, NoiseDraw.Sample(h.Context.Schedule, batch.X0, h.Context.Noise));
        // first Adam step: m̂ = g, v̂ = g², so θ ← θ − lr·g/(|g| + eps)
        var expected = snap.Weights.Select((w, i) => w - Hyper.LearningRate * g[i] / (Math.Sqrt(g[i] * g[i]) + 1e-8)).ToArray();
        Close(expected, actualTheta, 1e-9);
    }

    [Fact]
    public void JointTrainsOnAnEvenSplitOfEverySeenTasksRealData()
    {
        // batch 7 on task 2: 4 real samples of task 1 and 3 of task 2, one loss over their concatenation, Adam reset per task
        var hyper = Hyper with { BatchSize = 7, GradientClip = 0 };
        var h = new MethodHarness(hyper);
        var ctx = h.Context;
        var method = new JointTraining();
        method.BeginTask(ctx, 0);
        method.Step(ctx, 0, 1);
        method.EndTask(ctx, 0);
        method.BeginTask(ctx, 1);
        var snap = h.Take();
        method.Step(ctx, 1, 1);
        var actual = ctx.Parameters.Data.ToDoubleArray();

        h.Rewind(snap);
        var first = h.Stream[0].NextBatch(4);
        var second = h.Stream[1].NextBatch(3);
        var x = first.X0.ToDoubleArray().Concat(second.X0.ToDoubleArray()).ToArray();
        var c = first.Condition!.ToDoubleArray().Concat(second.Condition!.ToDoubleArray()).ToArray();
        var batch = new TrainingBatch(Tensor.FromArray(x, 7, TinyDenoiser.Width), Tensor.FromArray(c, 7));
        // the two tasks' classes are both in the batch
        Assert.Contains(2.0, c);
        Assert.Contains(0.0, c);
        var g = h.Gradient(snap.Weights, batch, NoiseDraw.Sample(ctx.Schedule, batch.X0, ctx.Noise));
        // the optimizer was reset at the task boundary: a first Adam step, θ ← θ − lr·g/(|g| + ε)
        var expected = snap.Weights.Select((w, i) => w - hyper.LearningRate * g[i] / (Math.Abs(g[i]) + 1e-8)).ToArray();
        Close(expected, actual, 1e-9);
    }

    [Fact]
    public void CMamlTakesClampedInnerStepsWithAFixedRateAndAnSgdOuterStep()
    {
        // C-MAML: α fixed at its initial scalar, φ_c = φ_{c−1} − α·clamp(∇L(chunk_c; φ_{c−1}), ±clip),
        // θ ← θ − η·clip‖·‖(mean_c ∇L(batch; φ_c)) with η = CMamlOuterLearningRate
        const double alpha = 0.1, clamp = 0.05, eta = 0.3, clipNorm = 1e12;
        var hyper = Hyper with { BatchSize = 6, LaMamlChunks = 3, LaMamlGradientClamp = clamp, LaMamlInitialLearningRate = alpha, CMamlOuterLearningRate = eta, GradientClip = clipNorm };
        var h = new MethodHarness(hyper);
        var ctx = h.Context;
        var method = new LaMaml(learnRates: false);
        Assert.Equal("c-maml", method.Id);
        method.BeginTask(ctx, 0);
        for (var step = 1; step <= 2; step++)
        {
            var snap = h.Take();
            method.Step(ctx, 0, step);
            var actual = ctx.Parameters.Data.ToDoubleArray();

            h.Rewind(snap);
            var batch = h.Stream[0].NextBatch(6);
            var fast = (double[])snap.Weights.Clone();
            var meta = new double[fast.Length];
            var clamped = 0;
            for (var start = 0; start < 6; start += 2)
            {
                var part = batch.Slice(start, 2);
                var g = h.Gradient(fast, part, NoiseDraw.Sample(ctx.Schedule, part.X0, ctx.Noise));
                clamped += g.Count(v => Math.Abs(v) > clamp);
                fast = fast.Select((w, i) => w - alpha * Math.Clamp(g[i], -clamp, clamp)).ToArray();
                var gq = h.Gradient(fast, batch, NoiseDraw.Sample(ctx.Schedule, batch.X0, ctx.Noise));
                meta = meta.Select((m, i) => m + gq[i] / 3).ToArray();
            }
            Assert.True(clamped > 0, "the clamp must be active in this test");
            var expected = snap.Weights.Select((w, i) => w - eta * meta[i]).ToArray();
            Close(expected, actual);
            // the recomputation consumed the same draws as the method, so the second round starts where the method
            // is: it checks that the second step still uses the initial α (C-MAML does not learn its rates)
        }
    }
}
