namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>
/// When to probe during a task: densely right after the transition (every step for the first few, then every few),
/// sparsely later (geometric growth), always at the last step. Re-convergence is read off these points, so the grid
/// decides the resolution of Table 2.
/// </summary>
public sealed class ProbeSchedule
{
    private readonly SortedSet<int> _steps;

    public ProbeSchedule(int stepsPerTask, int denseSteps = 10, double growth = 1.25, int maxPoints = 60)
    {
        _steps = new SortedSet<int>();
        for (var s = 1; s <= Math.Min(denseSteps, stepsPerTask); s++)
        {
            _steps.Add(s);
        }
        var next = (double)denseSteps;
        while (next < stepsPerTask && _steps.Count < maxPoints - 1)
        {
            next = Math.Max(next + 1, next * growth);
            var step = (int)Math.Round(next);
            if (step < stepsPerTask)
            {
                _steps.Add(step);
            }
        }
        _steps.Add(stepsPerTask);
        StepsPerTask = stepsPerTask;
    }

    public int StepsPerTask { get; }

    public IReadOnlyCollection<int> Steps => _steps;

    /// <summary>Whether to probe after <paramref name="stepInTask"/> updates of the current task (1-based).</summary>
    public bool IsProbeStep(int stepInTask) => _steps.Contains(stepInTask);
}
