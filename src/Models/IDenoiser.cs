using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models;

/// <summary>
/// A noise-prediction network ε̂ = f(x_t, t, condition), as the continual-learning code sees it: image UNets are
/// conditioned on class labels, policy UNets on observation histories. All weights live in <see cref="Parameters"/>
/// (one flat buffer), so another weight vector can be bound with <c>Parameters.Bind</c> and the same model runs it.
/// </summary>
public interface IDenoiser
{
    /// <summary>What the network is (e.g. "ImageUNet image-paper").</summary>
    string Name { get; }

    ParameterStore Parameters { get; }

    /// <summary>The shape of one sample x (without the batch dimension): [C, H, W] for images, [T, Da] for actions.</summary>
    IReadOnlyList<int> SampleShape { get; }

    /// <summary>The shape of one condition without the batch dimension ([] for a class id), or null when the model is unconditional.</summary>
    IReadOnlyList<int>? ConditionShape { get; }

    /// <summary>Contiguous groups of parameters (time embedding, each down/up block, ...), in declaration order.</summary>
    IReadOnlyList<ParameterBlock> Blocks { get; }

    /// <summary>Training mode applies dropout (drawn from <see cref="DropoutGenerator"/>); evaluation mode does not.</summary>
    bool Training { get; set; }

    /// <summary>The random stream dropout masks are drawn from (advanced by every training-mode forward pass).</summary>
    Generator DropoutGenerator { get; set; }

    /// <summary>
    /// Predicts the noise in <paramref name="xt"/> [B, ...SampleShape] at float timesteps [B] given the condition
    /// [B, ...ConditionShape] (class ids as floats for images; observation histories for policies; null if unconditional).
    /// </summary>
    Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? condition);
}
