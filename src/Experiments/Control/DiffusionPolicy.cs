using NativeTrustRegion.Control;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// A policy denoiser used for acting: given normalised observation histories [B, O·39] and initial noise
/// [B, S·4], DDIM (η = 0, x̂₀ clipped to [−1, 1], the action range) returns action sequences [B, S·4]. The weights
/// are whatever the model's parameter store is bound to (bind a teacher's weights around the call to act with them).
/// </summary>
public sealed class DiffusionPolicy
{
    private readonly IDenoiser _model;
    private readonly DdimSampler _sampler;

    public DiffusionPolicy(IDenoiser model, NoiseSchedule schedule, int ddimSteps)
    {
        var sample = model.SampleShape;
        var condition = model.ConditionShape;
        if (sample.Count != 2 || sample[1] != ObservationLayout.ActionSize || condition is not { Count: 2 } || condition[1] != ObservationLayout.Size)
        {
            throw new ArgumentException(
                $"{model.Name} is not a CW10 policy: it denoises {Describe(sample)} conditioned on {(condition is null ? "nothing" : Describe(condition))}; " +
                $"a policy denoises action sequences [S, {ObservationLayout.ActionSize}] conditioned on observation histories [O, {ObservationLayout.Size}] (use a policy-* model preset)");
        }
        _model = model;
        _sampler = new DdimSampler(schedule, ddimSteps, clipRange: 1.0, eta: 0.0);
        SequenceLength = sample[0];
        ObservationSteps = condition[0];
        if (ObservationSteps > SequenceLength)
        {
            throw new ArgumentException($"{model.Name}: observation horizon {ObservationSteps} exceeds the action sequence length {SequenceLength}");
        }
    }

    public IDenoiser Model => _model;

    /// <summary>S: actions per sampled sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>O: observations per history.</summary>
    public int ObservationSteps { get; }

    /// <summary>Numbers per history: O · 39.</summary>
    public int HistorySize => ObservationSteps * ObservationLayout.Size;

    /// <summary>Numbers per action sequence: S · 4.</summary>
    public int SequenceSize => SequenceLength * ObservationLayout.ActionSize;

    /// <summary>
    /// Position in the sequence of the action for the newest observation (O − 1): the training windows start the
    /// sequence at the history's oldest step, so the executed chunk starts here (Diffusion Policy's convention).
    /// </summary>
    public int ExecutedActionOffset => ObservationSteps - 1;

    /// <summary>DDIM action sequences [count · S · 4] for <paramref name="count"/> histories and initial noises.</summary>
    public float[] Sample(ReadOnlySpan<float> normalizedHistories, ReadOnlySpan<float> initialNoise, int count)
    {
        if (normalizedHistories.Length != count * HistorySize || initialNoise.Length != count * SequenceSize)
        {
            throw new ArgumentException(
                $"{count} queries need {count * HistorySize} history and {count * SequenceSize} noise numbers; got {normalizedHistories.Length} and {initialNoise.Length}");
        }
        var store = _model.Parameters;
        using var scope = TensorScope.Begin();
        using var untracked = GradMode.NoGrad();
        var condition = Tensor.FromSpan(normalizedHistories, [count, ObservationSteps, ObservationLayout.Size], store.DType, store.Device);
        var noise = Tensor.FromSpan(initialNoise, [count, SequenceLength, ObservationLayout.ActionSize], store.DType, store.Device);
        return _sampler.Sample(_model, condition, noise).ToFloatArray();
    }

    private static string Describe(IReadOnlyList<int> shape) => TensorOpException.Format(shape.ToArray());
}
