namespace NativeTrustRegion.Continual.Tasks;

/// <summary>An ordered list of tasks; the model sees one task at a time, in this order.</summary>
public sealed class TaskStream
{
    public TaskStream(string name, IReadOnlyList<ITaskData> tasks)
    {
        if (tasks.Count == 0)
        {
            throw new ArgumentException($"task stream '{name}' has no tasks");
        }
        Name = name;
        Tasks = tasks;
    }

    public string Name { get; }

    public IReadOnlyList<ITaskData> Tasks { get; }

    public int Count => Tasks.Count;

    public ITaskData this[int index] => Tasks[index];
}
