namespace NativeTrustRegion.Data;

/// <summary>
/// A sequence of disjoint class groups learned one after another (class-incremental continual learning).
/// Presets follow the authors' setup (methods.md §0): consecutive class groups,
/// Split-MNIST / Split-Fashion = 5 tasks × 2 classes, ImageNet-500 = 10 tasks × 50 classes.
/// </summary>
public sealed class ClassSplitStream
{
    public string Name { get; }
    public IReadOnlyList<ContinualTask> Tasks { get; }

    /// <summary>Total number of classes over all tasks (the size of the class-embedding table).</summary>
    public int ClassCount { get; }

    public ClassSplitStream(string name, IReadOnlyList<ContinualTask> tasks)
    {
        var seen = new HashSet<int>();
        for (int t = 0; t < tasks.Count; t++)
        {
            if (tasks[t].Index != t) throw new ArgumentException($"task at position {t} has index {tasks[t].Index}");
            if (tasks[t].ClassIds.Count == 0) throw new ArgumentException($"task {t} has no classes");
            foreach (int c in tasks[t].ClassIds)
            {
                if (c < 0) throw new ArgumentException($"task {t} has negative class id {c}");
                if (!seen.Add(c)) throw new ArgumentException($"class {c} appears in more than one task");
            }
        }
        Name = name;
        Tasks = tasks;
        ClassCount = seen.Count == 0 ? 0 : seen.Max() + 1;
    }

    /// <summary>Tasks of <paramref name="classesPerTask"/> consecutive class ids: {0..k−1}, {k..2k−1}, …</summary>
    public static ClassSplitStream Consecutive(string name, int classCount, int classesPerTask)
    {
        if (classesPerTask <= 0 || classCount <= 0 || classCount % classesPerTask != 0)
            throw new ArgumentException($"{classCount} classes cannot be split into tasks of {classesPerTask}");
        var tasks = new List<ContinualTask>();
        for (int t = 0; t < classCount / classesPerTask; t++)
            tasks.Add(new ContinualTask(t, Enumerable.Range(t * classesPerTask, classesPerTask).ToArray()));
        return new ClassSplitStream(name, tasks);
    }

    /// <summary>Split-MNIST: 5 tasks × 2 classes.</summary>
    public static ClassSplitStream SplitMnist() => Consecutive("split-mnist", 10, 2);

    /// <summary>Split-Fashion-MNIST: 5 tasks × 2 classes.</summary>
    public static ClassSplitStream SplitFashionMnist() => Consecutive("split-fashion-mnist", 10, 2);

    /// <summary>The embedded glyph set: 5 tasks × 2 classes.</summary>
    public static ClassSplitStream SplitEmbedded() => Consecutive("split-embedded", 10, 2);

    /// <summary>ImageNet-500 (first 500 classes of ImageNet 32×32): 10 tasks × 50 classes.</summary>
    public static ClassSplitStream ImageNet500() => Consecutive("imagenet32-500", 500, 50);

    /// <summary>The classes of tasks 0..<paramref name="taskIndex"/> (everything learned so far).</summary>
    public IReadOnlyList<int> ClassesUpTo(int taskIndex) =>
        Tasks.Take(taskIndex + 1).SelectMany(t => t.ClassIds).ToArray();
}
