using NativeTrustRegion.Control.Experts;

namespace NativeTrustRegion.Control.Evaluation;

/// <summary>Success rate of a task's scripted expert over seeded episodes.</summary>
public static class ExpertEvaluation
{
    /// <summary>
    /// Runs the expert on seeds firstSeed … firstSeed + episodes − 1. With <paramref name="actionNoise"/> &gt; 0, each
    /// action component gets Gaussian noise of that standard deviation (Meta-World's tests use 0.1), drawn from a
    /// generator seeded by the episode seed, so results stay reproducible.
    /// </summary>
    public static RolloutReport Run(ControlTask task, int episodes, int firstSeed = 0, double actionNoise = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actionNoise);
        ScriptedExpert expert = ScriptedExpert.Create(task);
        var evaluator = new RolloutEvaluator(task, observationHorizon: 1);
        if (actionNoise == 0.0)
        {
            return evaluator.Evaluate(history => expert.Act(history), episodes, firstSeed);
        }
        using var env = new ManipulationEnv(task);
        var outcomes = new List<EpisodeOutcome>(episodes);
        for (int episode = 0; episode < episodes; episode++)
        {
            int seed = firstSeed + episode;
            var noise = new SeededRandom(0x5EEDUL ^ ((ulong)(uint)seed << 20) ^ (ulong)task);
            outcomes.Add(evaluator.RunEpisode(env, history =>
            {
                float[] action = expert.Act(history);
                for (int i = 0; i < action.Length; i++)
                {
                    action[i] += (float)(actionNoise * noise.NextGaussian());
                }
                return action;
            }, seed));
        }
        return new RolloutReport(task, outcomes);
    }
}
