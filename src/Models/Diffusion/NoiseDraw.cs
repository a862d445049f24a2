using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Diffusion;

/// <summary>
/// The random part of one denoising-loss evaluation: a timestep per sample and the noise ε. Continual-learning
/// methods draw their own (e.g. one draw shared by a student and its teacher) and pass it to
/// <see cref="DenoisingLoss"/>.
/// </summary>
public sealed record NoiseDraw(int[] Timesteps, Tensor Noise)
{
    /// <summary>ε ~ N(0, I) of x₀'s shape (drawn first), then t ~ U{0, …, TrainSteps−1} per sample, from one generator.</summary>
    public static NoiseDraw Sample(NoiseSchedule schedule, Tensor x0, Generator generator)
    {
        var noise = Tensor.Randn(x0.Shape, generator, x0.DType, x0.Device);
        var timesteps = schedule.SampleTimesteps(x0.Shape[0], generator);
        return new NoiseDraw(timesteps, noise);
    }
}
