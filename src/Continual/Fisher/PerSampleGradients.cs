using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Fisher;

/// <summary>
/// True per-sample gradients of the diffusion loss: each sample gets its own timestep and noise (or a fixed
/// timestep for diagnostics), one backward pass each, in evaluation mode. The callback sees the flat gradient.
/// With <c>only</c>, just the samples [start, start + count) are back-propagated (a data-parallel rank's share), but
/// every sample's noise and timestep are still drawn, so each sample gets the draw it gets in one process and the
/// generator ends where it ends there.
/// </summary>
public static class PerSampleGradients
{
    public static void ForEach(ContinualContext ctx, TrainingBatch samples, Generator generator, Action<int, Tensor> visit, int? fixedTimestep = null, (int Start, int Count)? only = null)
    {
        var training = ctx.Model.Training;
        ctx.Model.Training = false;
        try
        {
            for (var i = 0; i < samples.Size; i++)
            {
                using var scope = TensorScope.Begin();
                var one = samples.Slice(i, 1);
                var noise = Tensor.Randn(one.X0.Shape, generator, one.X0.DType, one.X0.Device);
                var t = fixedTimestep ?? ctx.Schedule.SampleTimesteps(1, generator)[0];
                if (only is { } share && (i < share.Start || i >= share.Start + share.Count))
                {
                    continue;
                }
                var loss = DenoisingLoss.Compute(ctx.Model, ctx.Schedule, one.X0, one.Condition, new NoiseDraw([t], noise));
                DiffusionObjective.Backward(ctx, loss);
                visit(i, ctx.Parameters.Grad);
            }
        }
        finally
        {
            ctx.Model.Training = training;
        }
    }
}
