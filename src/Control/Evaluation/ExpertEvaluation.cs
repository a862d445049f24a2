using NativeTrustRegion.Control.Experts;

namespace NativeTrustRegion.Control.Evaluation;

/// <summary>Success rate of a task's scripted expert over seeded episodes (noise-free).</summary>
public static class ExpertEvaluation
{
    public static RolloutReport Run(ControlTask task, int episodes, int firstSeed = 0)
    {
        ScriptedExpert expert = ScriptedExpert.Create(task);
        var evaluator = new RolloutEvaluator(task, observationHorizon: 1);
        return evaluator.Evaluate(history => expert.Act(history), episodes, firstSeed);
    }
}
