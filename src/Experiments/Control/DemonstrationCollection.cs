using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// `ntr control collect`: the scripted expert of each task rolled out (tasks in parallel) and its demonstrations
/// written to &lt;folder&gt;/&lt;task&gt;.ntrdemo; one record per task says what was written.
/// </summary>
public sealed record DemonstrationCollection(string Task, int Episodes, int Successful, int Attempts, long TotalSteps, long FileBytes, string Path)
{
    /// <summary>Mean steps per written episode (0 when none was written).</summary>
    public double MeanLength => Episodes == 0 ? 0 : (double)TotalSteps / Episodes;

    /// <summary>Collects <paramref name="episodes"/> episodes per task from seed <paramref name="firstSeed"/> on and writes each task's file.</summary>
    /// <param name="successfulOnly">Keep only episodes that reached success (the expert is retried with later seeds).</param>
    public static IReadOnlyList<DemonstrationCollection> Run(IReadOnlyList<string> taskNames, int episodes, int firstSeed, bool successfulOnly, string folder)
    {
        var tasks = taskNames.Select(ControlTaskNames.Parse).ToArray();
        MuJoCoRuntime.EnsureLoaded();
        var written = new DemonstrationCollection[tasks.Length];
        Parallel.For(0, tasks.Length, i =>
        {
            var collector = new DemonstrationCollector(tasks[i]) { SuccessfulOnly = successfulOnly };
            DemonstrationSet set = collector.Collect(episodes, firstSeed);
            string path = System.IO.Path.Combine(folder, DemonstrationFile.FileName(tasks[i]));
            DemonstrationFile.Write(path, set);
            written[i] = new DemonstrationCollection(tasks[i].ToName(), set.Episodes.Count, set.SuccessCount, collector.Attempts, set.TotalSteps,
                new FileInfo(path).Length, path);
        });
        return written;
    }
}
