namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>One probe measurement: the metric of a task at a global gradient-update count.</summary>
public readonly record struct ProbePoint(long Step, int TrainingTask, int StepInTask, double Value);

/// <summary>The probe curve of one task over the whole run (e.g. the Task-1 curve of the paper's Figure 2).</summary>
public sealed class ProbeCurve
{
    private readonly List<ProbePoint> _points = new();

    public ProbeCurve(int task)
    {
        Task = task;
    }

    public int Task { get; }

    public IReadOnlyList<ProbePoint> Points => _points;

    public void Add(ProbePoint p) => _points.Add(p);

    /// <summary>Points measured while <paramref name="trainingTask"/> was being trained, in step order.</summary>
    public IEnumerable<ProbePoint> During(int trainingTask) =>
        _points.Where(p => p.TrainingTask == trainingTask).OrderBy(p => p.StepInTask);

    /// <summary>The last value measured during the task's own training (its "initial optimum"), or null.</summary>
    public double? ValueWhenLearned() =>
        During(Task).Select(p => (double?)p.Value).LastOrDefault();

    /// <summary>Point-wise mean of curves with identical step grids (seeds of one method).</summary>
    public static ProbeCurve Average(IReadOnlyList<ProbeCurve> curves)
    {
        var result = new ProbeCurve(curves[0].Task);
        var groups = curves.SelectMany(c => c.Points).GroupBy(p => (p.TrainingTask, p.StepInTask)).OrderBy(g => g.Key.TrainingTask).ThenBy(g => g.Key.StepInTask);
        foreach (var g in groups)
        {
            if (g.Count() != curves.Count)
            {
                continue;
            }
            var first = g.First();
            result.Add(first with { Value = g.Average(p => p.Value) });
        }
        return result;
    }
}
