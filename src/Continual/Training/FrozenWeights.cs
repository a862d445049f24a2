using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// A snapshot of the model's flat weights (a teacher, an anchor θ*, an EMA copy). Predictions run the live model's
/// layers with the snapshot bound, in evaluation mode and without recording a tape.
/// </summary>
public sealed class FrozenWeights
{
    public FrozenWeights(ParameterStore store)
    {
        Weights = store.NewFlat();
        Weights.CopyFrom(store.Data);
    }

    public Tensor Weights { get; }

    public void CopyFrom(ParameterStore store) => Weights.CopyFrom(store.Data);

    public Tensor PredictNoise(IDenoiser model, Tensor xt, Tensor t, Tensor? condition)
    {
        var training = model.Training;
        model.Training = false;
        try
        {
            using var bound = model.Parameters.Bind(Weights);
            using var untracked = GradMode.NoGrad();
            return model.PredictNoise(xt, t, condition);
        }
        finally
        {
            model.Training = training;
        }
    }
}
