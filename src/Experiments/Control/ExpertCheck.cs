using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// `ntr control experts`: each task's scripted expert over seeded episodes (tasks in parallel), with its successes,
/// the mean length of its successful episodes and the seeds it failed.
/// </summary>
public sealed record ExpertCheck(string Task, int Successes, int Episodes, double SuccessRate, double MeanSuccessSteps, IReadOnlyList<int> FailedSeeds)
{
    /// <summary>Rolls out the expert of every task in <paramref name="taskNames"/> over seeds firstSeed, firstSeed+1, ….</summary>
    public static IReadOnlyList<ExpertCheck> Run(IReadOnlyList<string> taskNames, int episodes, int firstSeed, double actionNoise)
    {
        var tasks = taskNames.Select(ControlTaskNames.Parse).ToArray();
        MuJoCoRuntime.EnsureLoaded();
        var reports = new RolloutReport[tasks.Length];
        Parallel.For(0, tasks.Length, i => reports[i] = ExpertEvaluation.Run(tasks[i], episodes, firstSeed, actionNoise));
        return reports.Select(r => new ExpertCheck(
            r.Task.ToName(),
            r.Successes,
            r.Episodes.Count,
            r.SuccessRate,
            r.Successes == 0 ? 0 : r.Episodes.Where(e => e.Success).Average(e => e.Steps),
            r.Episodes.Where(e => !e.Success).Select(e => e.Seed).ToList())).ToList();
    }
}
