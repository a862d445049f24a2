using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Data;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// A folder of <c>&lt;task&gt;.ntrdemo</c> files (the format <c>ntr control collect</c> writes) from which the control
/// domain takes each task's expert demonstrations. A request for n episodes is served by the first n successful
/// episodes of the task's file when it has that many, all from seeds below the evaluation seeds; otherwise the
/// expert is rolled out from seed 0 (successful episodes only) and the file is (re)written. The collector is
/// deterministic, so a file with more episodes serves smaller requests with exactly the episodes a fresh collection
/// would give.
/// </summary>
public sealed class DemonstrationCache
{
    public DemonstrationCache(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    /// <summary><c>$NTR_DATA_DIR/cw10-demos</c> (or <c>~/.cache/ntr/cw10-demos</c>).</summary>
    public static string DefaultDirectory => Path.Combine(DataDirectory.Resolve(), "cw10-demos");

    public string Directory { get; }

    public string PathOf(ControlTask task) => Path.Combine(Directory, DemonstrationFile.FileName(task));

    /// <summary>
    /// Reads (and so checks: checksum, header, task) the cached file of each task that has one, before a run builds
    /// anything; a corrupt file throws a <see cref="CorruptDemonstrationFileException"/> naming it.
    /// </summary>
    public void CheckExisting(IEnumerable<ControlTask> tasks)
    {
        foreach (var task in tasks)
        {
            var path = PathOf(task);
            if (File.Exists(path) && DemonstrationFile.Read(path).Task != task)
            {
                throw new InvalidDataException($"{path} holds demonstrations of another task, not {task.ToName()}. Fix: delete it; it is collected again");
            }
        }
    }

    /// <summary>
    /// <see cref="CheckExisting(IEnumerable{ControlTask})"/> for tasks given by name; an unknown name throws a
    /// <see cref="Engine.UsageException"/> listing the CW10 tasks.
    /// </summary>
    public void CheckExisting(IEnumerable<string> taskNames) => CheckExisting(taskNames.Select(ControlTaskNames.Parse));

    /// <summary>The first <paramref name="episodes"/> successful expert episodes of <paramref name="task"/> from seed 0 upwards.</summary>
    /// <param name="report">Told when a file is collected (collection takes seconds to minutes).</param>
    public DemonstrationSet Load(ControlTask task, int episodes, Action<string>? report = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        // concurrent runs of one comparison: one collects a missing file, the others then read it
        lock (CollectLock)
        {
            return LoadUnlocked(task, episodes, report);
        }
    }

    private static readonly object CollectLock = new();

    private DemonstrationSet LoadUnlocked(ControlTask task, int episodes, Action<string>? report)
    {
        var path = PathOf(task);
        if (File.Exists(path))
        {
            var stored = DemonstrationFile.Read(path);
            if (stored.Task != task)
            {
                throw new InvalidDataException($"{path} holds demonstrations of {stored.Task.ToName()}, not {task.ToName()}");
            }
            var usable = stored.Episodes.Where(e => e.Success && e.Seed >= 0 && e.Seed < RolloutEvaluator.HeldOutFirstSeed).Take(episodes).ToList();
            if (usable.Count == episodes)
            {
                return new DemonstrationSet(task, usable);
            }
            report?.Invoke($"{path} has {usable.Count} usable episodes, fewer than {episodes}: collecting again");
        }
        else
        {
            report?.Invoke($"collecting {episodes} {task.ToName()} demonstrations into {path}");
        }
        var collected = new DemonstrationCollector(task) { SuccessfulOnly = true }.Collect(episodes, firstSeed: 0);
        DemonstrationFile.Write(path, collected);
        return collected;
    }
}
