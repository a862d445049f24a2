using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Diffusion;

/// <summary>
/// The DDPM forward process: β_t, α_t = 1 − β_t and ᾱ_t = ∏_{s≤t} α_s for t = 0 … TrainSteps−1, kept in float32 as
/// diffusers keeps them (betas from torch.linspace in float32; cumprod accumulated in double on the CPU, stored as
/// float32). x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε.
/// </summary>
public sealed class NoiseSchedule
{
    private readonly float[] _betas;
    private readonly float[] _alphas;
    private readonly float[] _alphaBars;

    private NoiseSchedule(float[] betas)
    {
        _betas = betas;
        _alphas = betas.Select(b => 1f - b).ToArray();
        _alphaBars = new float[betas.Length];
        var product = 1.0;
        for (var i = 0; i < betas.Length; i++)
        {
            product *= _alphas[i];
            _alphaBars[i] = (float)product;
        }
    }

    /// <summary>diffusers' "linear" schedule: β = linspace(betaStart, betaEnd, trainSteps) in float32 (defaults 1e-4 … 0.02 over 1000 steps).</summary>
    public static NoiseSchedule Linear(int trainSteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        if (trainSteps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(trainSteps), trainSteps, "a schedule needs at least 2 steps");
        }
        // torch.linspace's float32 kernel: the first half counts up from start, the second half down from end.
        float start = (float)betaStart, end = (float)betaEnd;
        var step = (end - start) / (trainSteps - 1);
        var halfway = trainSteps / 2;
        var betas = new float[trainSteps];
        for (var i = 0; i < trainSteps; i++)
        {
            betas[i] = i < halfway ? start + step * i : end - step * (trainSteps - 1 - i);
        }
        return new NoiseSchedule(betas);
    }

    public int TrainSteps => _betas.Length;

    public IReadOnlyList<float> Betas => _betas;

    public IReadOnlyList<float> Alphas => _alphas;

    /// <summary>ᾱ_t (diffusers' alphas_cumprod).</summary>
    public IReadOnlyList<float> AlphaBars => _alphaBars;

    /// <summary>Draws <paramref name="batch"/> timesteps uniformly from {0, …, TrainSteps−1}.</summary>
    public int[] SampleTimesteps(int batch, Generator generator)
    {
        var t = new int[batch];
        for (var i = 0; i < batch; i++)
        {
            t[i] = generator.NextInt(TrainSteps);
        }
        return t;
    }

    /// <summary>x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε with one timestep per sample (x₀ and ε of shape [B, ...]).</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, IReadOnlyList<int> timesteps)
    {
        if (!Shape.Equal(x0.Shape, noise.Shape) || x0.Rank < 1 || timesteps.Count != x0.Shape[0])
        {
            throw new TensorOpException("NoiseSchedule.AddNoise",
                $"x0 {TensorOpException.Format(x0.Shape)}, noise {TensorOpException.Format(noise.Shape)} and {timesteps.Count} timesteps do not fit",
                "give x0 and noise the same [B, ...] shape and one timestep per sample");
        }
        var b = x0.Shape[0];
        var signal = new float[b];
        var noiseScale = new float[b];
        for (var i = 0; i < b; i++)
        {
            var ab = AlphaBar(timesteps[i]);
            signal[i] = MathF.Sqrt(ab);
            noiseScale[i] = MathF.Sqrt(1f - ab);
        }
        var coefficientShape = new int[x0.Rank];
        Array.Fill(coefficientShape, 1);
        coefficientShape[0] = b;
        var a = Tensor.FromSpan((ReadOnlySpan<float>)signal, coefficientShape, x0.DType, x0.Device);
        var s = Tensor.FromSpan((ReadOnlySpan<float>)noiseScale, coefficientShape, x0.DType, x0.Device);
        return a * x0 + s * noise;
    }

    /// <summary>The timesteps as the float tensor [B] the denoisers take.</summary>
    public static Tensor TimestepTensor(IReadOnlyList<int> timesteps, DType dtype, Device device)
    {
        var values = timesteps.Select(t => (double)t).ToArray();
        return Tensor.FromSpan((ReadOnlySpan<double>)values, [values.Length], dtype, device);
    }

    /// <summary>ᾱ_t, checking the range.</summary>
    public float AlphaBar(int t)
    {
        if (t < 0 || t >= TrainSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, $"timestep must be in [0, {TrainSteps})");
        }
        return _alphaBars[t];
    }
}
