using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Training;

/// <summary>The losses every method is built from, and gradient bookkeeping on the flat buffers.</summary>
public static class DiffusionObjective
{
    /// <summary>The ε-prediction loss of the paper's eq. 3 on a batch, with a fresh (t, ε) draw.</summary>
    public static Tensor Loss(ContinualContext ctx, TrainingBatch batch)
    {
        ctx.Model.Training = true;
        return DenoisingLoss.Compute(ctx.Model, ctx.Schedule, batch.X0, batch.Condition, ctx.Noise);
    }

    /// <summary>
    /// Generative distillation on replay samples: fresh (t′, ε′), target = the frozen teacher's ε̂ at x_t′, loss = MSE of the
    /// student's ε̂ to it (the authors' gr_kl term).
    /// </summary>
    public static Tensor DistillationLoss(ContinualContext ctx, TrainingBatch replay, FrozenWeights teacher) =>
        DistillationLoss(ctx, replay, teacher, NoiseDraw.Sample(ctx.Schedule, replay.X0, ctx.Noise));

    /// <summary>The distillation loss with a given (t′, ε′) draw.</summary>
    public static Tensor DistillationLoss(ContinualContext ctx, TrainingBatch replay, FrozenWeights teacher, NoiseDraw draw)
    {
        var xt = ctx.Schedule.AddNoise(replay.X0, draw.Noise, draw.Timesteps);
        var t = NoiseSchedule.TimestepTensor(draw.Timesteps, xt.DType, xt.Device);
        var target = teacher.PredictNoise(ctx.Model, xt, t, replay.Condition);
        ctx.Model.Training = true;
        var student = ctx.Model.PredictNoise(xt, t, replay.Condition);
        return Ops.MseLoss(student, target);
    }

    /// <summary>Zeroes the flat gradient, back-propagates <paramref name="loss"/> and returns its value.</summary>
    public static double Backward(ContinualContext ctx, Tensor loss)
    {
        ctx.Parameters.ZeroGrad();
        GradTape.Current.Backward(loss);
        var value = loss.Item();
        if (!double.IsFinite(value))
        {
            throw new NonFiniteLossException(value);
        }
        return value;
    }

    /// <summary>The gradient of <paramref name="loss"/> copied into <paramref name="destination"/> (a flat vector).</summary>
    public static double GradientInto(ContinualContext ctx, Tensor loss, Tensor destination)
    {
        var value = Backward(ctx, loss);
        destination.CopyFrom(ctx.Parameters.Grad);
        return value;
    }

    /// <summary>Runs <paramref name="body"/> with the model's weights bound to <paramref name="weights"/> (gradients go to <paramref name="grad"/> or the store's buffer).</summary>
    public static T WithWeights<T>(ContinualContext ctx, Tensor weights, Tensor? grad, Func<T> body)
    {
        using var bound = ctx.Parameters.Bind(weights, grad);
        return body();
    }
}

/// <summary>The loss became NaN or infinite: training diverged.</summary>
public sealed class NonFiniteLossException(double value)
    : InvalidOperationException($"the training loss is {value}: training diverged. Fix: lower the learning rate (--lr), enable gradient clipping, or resume from the last checkpoint with a smaller step size.")
{
    /// <summary>The loss value (NaN or ±∞).</summary>
    public double Value { get; } = value;
}
