using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Diffusion;

/// <summary>
/// diffusers' DDIMScheduler as the paper samples with it: "leading" timesteps (k·TrainSteps/Steps for k = Steps−1 … 0,
/// e.g. 980, 960, …, 0 for 50 of 1000), set_alpha_to_one, ε-prediction, x̂₀ clipped to [−ClipRange, ClipRange]
/// (clip_sample), and η = 0 by default (deterministic given the initial noise). One step:
/// x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, clipped; x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev−σ²)·ε̂ (+ σ·z when η > 0), with
/// ᾱ_prev = 1 after the last step, so the last step returns the clipped x̂₀.
/// </summary>
public sealed class DdimSampler
{
    private readonly int[] _timesteps;

    /// <param name="clipRange">Clip x̂₀ to ±this; 0 disables clipping.</param>
    public DdimSampler(NoiseSchedule schedule, int steps = 50, double clipRange = 1.0, double eta = 0.0)
    {
        if (steps < 1 || steps > schedule.TrainSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"use between 1 and {schedule.TrainSteps} sampling steps");
        }
        if (eta < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be non-negative");
        }
        Schedule = schedule;
        Steps = steps;
        ClipRange = clipRange;
        Eta = eta;
        StepRatio = schedule.TrainSteps / steps;
        _timesteps = Enumerable.Range(0, steps).Select(k => k * StepRatio).Reverse().ToArray();
    }

    public NoiseSchedule Schedule { get; }

    public int Steps { get; }

    public double ClipRange { get; }

    public double Eta { get; }

    /// <summary>TrainSteps / Steps (integer division, as diffusers).</summary>
    public int StepRatio { get; }

    /// <summary>The timesteps visited, from the noisiest.</summary>
    public IReadOnlyList<int> Timesteps => _timesteps;

    /// <summary>Draws x_T ~ N(0, I) of shape [batch, ...model.SampleShape] from <paramref name="generator"/> and denoises it.</summary>
    public Tensor Sample(IDenoiser model, Tensor? condition, int batch, Generator generator)
    {
        var shape = new[] { batch }.Concat(model.SampleShape).ToArray();
        var store = model.Parameters;
        var noise = Tensor.Randn(shape, generator, store.DType, store.Device);
        return Sample(model, condition, noise, generator);
    }

    /// <summary>
    /// Denoises <paramref name="initialNoise"/> [B, ...SampleShape] with the model in evaluation mode and without
    /// recording gradients. The result is allocated in the caller's scope. <paramref name="generator"/> is only
    /// needed when η > 0.
    /// </summary>
    public Tensor Sample(IDenoiser model, Tensor? condition, Tensor initialNoise, Generator? generator = null)
    {
        using var noGrad = GradMode.NoGrad();
        var wasTraining = model.Training;
        model.Training = false;
        try
        {
            var x = Tensor.Empty(initialNoise.Shape, initialNoise.DType, initialNoise.Device);
            x.CopyFrom(initialNoise);
            var b = x.Shape[0];
            foreach (var t in _timesteps)
            {
                using var scope = TensorScope.Begin();
                var timesteps = Tensor.Full([b], t, x.DType, x.Device);
                var epsilon = model.PredictNoise(x, timesteps, condition);
                x.CopyFrom(Step(epsilon, t, x, generator));
            }
            return x;
        }
        finally
        {
            model.Training = wasTraining;
        }
    }

    /// <summary>One DDIM update from timestep <paramref name="t"/> to t − StepRatio (differentiable if the inputs are).</summary>
    public Tensor Step(Tensor epsilon, int t, Tensor xt, Generator? generator = null)
    {
        var alphaBar = (double)Schedule.AlphaBar(t);
        var previous = t - StepRatio;
        var alphaBarPrevious = previous >= 0 ? Schedule.AlphaBar(previous) : 1.0;
        var x0 = (xt - epsilon * Math.Sqrt(1 - alphaBar)) * (1 / Math.Sqrt(alphaBar));
        if (ClipRange > 0)
        {
            x0 = Ops.Clamp(x0, -ClipRange, ClipRange);
        }
        var variance = (1 - alphaBarPrevious) / (1 - alphaBar) * (1 - alphaBar / alphaBarPrevious);
        var sigma = Eta * Math.Sqrt(Math.Max(variance, 0));
        var direction = Math.Sqrt(Math.Max(1 - alphaBarPrevious - sigma * sigma, 0));
        var next = x0 * Math.Sqrt(alphaBarPrevious) + epsilon * direction;
        if (sigma > 0)
        {
            var g = generator ?? throw new ArgumentNullException(nameof(generator), "DDIM with eta > 0 needs a generator for its noise");
            next = next + Tensor.Randn(xt.Shape, g, xt.DType, xt.Device) * sigma;
        }
        return next;
    }
}
