namespace NativeTrustRegion.Experiments.Running;

/// <summary>Where a run reports what it is doing (a console progress display, or nothing in tests).</summary>
public interface IRunProgress
{
    void Phase(string description);

    void StartTask(int task, int tasks, int stepsPerTask, int startStep);

    void Step(int task, int stepInTask, double loss, double stepsPerSecond);

    void TaskEvaluated(int task, IReadOnlyList<double?> metricRow, string metricName);

    void Message(string text);
}

/// <summary>Reports nothing.</summary>
public sealed class SilentProgress : IRunProgress
{
    public static readonly SilentProgress Instance = new();

    public void Phase(string description)
    {
    }

    public void StartTask(int task, int tasks, int stepsPerTask, int startStep)
    {
    }

    public void Step(int task, int stepInTask, double loss, double stepsPerSecond)
    {
    }

    public void TaskEvaluated(int task, IReadOnlyList<double?> metricRow, string metricName)
    {
    }

    public void Message(string text)
    {
    }
}
