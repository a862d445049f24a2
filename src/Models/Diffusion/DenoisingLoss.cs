using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Diffusion;

/// <summary>
/// The ε-prediction objective (paper eq. 3): L = mean over batch and elements of (ε̂(x_t, t, c) − ε)² with
/// x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε.
/// </summary>
public static class DenoisingLoss
{
    /// <summary>The loss for a given draw (differentiable with respect to the model's parameters).</summary>
    public static Tensor Compute(IDenoiser model, NoiseSchedule schedule, Tensor x0, Tensor? condition, NoiseDraw draw)
    {
        var xt = schedule.AddNoise(x0, draw.Noise, draw.Timesteps);
        var t = NoiseSchedule.TimestepTensor(draw.Timesteps, x0.DType, x0.Device);
        var predicted = model.PredictNoise(xt, t, condition);
        return Ops.MseLoss(predicted, draw.Noise);
    }

    /// <summary>The loss with a fresh draw from <paramref name="generator"/>.</summary>
    public static Tensor Compute(IDenoiser model, NoiseSchedule schedule, Tensor x0, Tensor? condition, Generator generator) =>
        Compute(model, schedule, x0, condition, NoiseDraw.Sample(schedule, x0, generator));
}
