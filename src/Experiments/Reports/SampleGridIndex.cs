using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Reports;

/// <summary>One run's sample grid after one task (samples/after-task-NN.png), as the report links and embeds it.</summary>
/// <param name="RelativePath">the PNG's path from the report's folder, with '/' separators (report.md links it)</param>
public sealed record SampleGrid(string Method, int Seed, int AfterTask, string RelativePath, string FullPath);

/// <summary>
/// Finds the sample grids of a report's runs in the folder the report is written to: for each method, the run of its
/// lowest seed — METHOD-seedSEED/samples/ of a comparison (`ntr compare`, `ntr demo`), or samples/ of the folder itself
/// when the report is one run's (`ntr run`). Runs whose grids are not there (a report rebuilt elsewhere) show none.
/// </summary>
public static class SampleGridIndex
{
    public static IReadOnlyList<SampleGrid> Find(string directory, IReadOnlyList<RunResult> runs)
    {
        var grids = new List<SampleGrid>();
        foreach (var method in runs.Select(r => r.Method).Distinct())
        {
            var run = runs.Where(r => r.Method == method).MinBy(r => r.Seed)!;
            var candidates = new List<string> { $"{method}-seed{run.Seed}" };
            if (runs.Count == 1)
            {
                candidates.Insert(0, "");
            }
            foreach (var folder in candidates)
            {
                var found = Enumerable.Range(1, run.Matrix.Length)
                    .Select(t => (Task: t, Relative: string.Join('/', new[] { folder, "samples", $"after-task-{t:00}.png" }.Where(p => p.Length > 0))))
                    .Select(g => new SampleGrid(method, run.Seed, g.Task, g.Relative, Path.Combine(directory, g.Relative)))
                    .Where(g => File.Exists(g.FullPath))
                    .ToList();
                if (found.Count > 0)
                {
                    grids.AddRange(found);
                    break;
                }
            }
        }
        return grids;
    }
}
