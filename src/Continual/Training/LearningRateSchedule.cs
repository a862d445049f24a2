namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// The outer learning rate of update <c>s</c> (1-based) of a task of <c>S</c> updates: constant, except over the last
/// <c>D = round(f·S)</c> updates (f = <see cref="Hyperparameters.LearningRateDecayFraction"/>, D ≥ 1 when f &gt; 0),
/// where it is <c>lr·(S − s + 1)/D</c> — a linear decay that reaches lr/D at the task's last update and starts again
/// at lr with the next task. A function of the step alone, so a resumed run applies the same rates.
/// </summary>
public static class LearningRateSchedule
{
    public static double At(Hyperparameters hyper, int stepInTask, int stepsPerTask)
    {
        if (stepInTask < 1 || stepInTask > stepsPerTask)
        {
            throw new ArgumentOutOfRangeException(nameof(stepInTask), $"update {stepInTask} of a task of {stepsPerTask} updates");
        }
        if (hyper.LearningRateDecayFraction <= 0)
        {
            return hyper.LearningRate;
        }
        var decaySteps = Math.Max(1, (int)Math.Round(hyper.LearningRateDecayFraction * stepsPerTask));
        var left = stepsPerTask - stepInTask + 1;
        return left >= decaySteps ? hyper.LearningRate : hyper.LearningRate * left / decaySteps;
    }
}
