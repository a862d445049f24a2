namespace NativeTrustRegion.Experiments.Control;

/// <summary>How one old task's share of a teacher-rollout replay pool was made.</summary>
/// <param name="Task">Index of the task in the stream.</param>
/// <param name="Rollouts">Teacher rollouts run in the task's environment.</param>
/// <param name="Successes">Rollouts that reached the task's success condition.</param>
/// <param name="WindowsAvailable">Queries (history, sampled sequence) of the rollouts whose windows were eligible.</param>
/// <param name="FromSuccessfulOnly">Whether only successful rollouts were eligible.</param>
/// <param name="WindowsKept">Windows in the pool for this task (<c>ReplayPoolPerTask</c>).</param>
public sealed record ReplayTaskStatistics(int Task, int Rollouts, int Successes, int WindowsAvailable, bool FromSuccessfulOnly, int WindowsKept);
