using System.Text.Json;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// Several methods × seeds of one preset, each in its own run folder under <see cref="Directory"/> (named
/// METHOD-seedSEED), and one report over all of them. Written to compare.json so `ntr resume DIR` finishes it.
/// </summary>
public sealed record ComparisonPlan
{
    public required string Preset { get; init; }

    public required string[] Methods { get; init; }

    public required ulong[] Seeds { get; init; }

    public required string Directory { get; init; }

    /// <summary>Overrides applied to every run's configuration (e.g. fewer steps per task); null = preset values.</summary>
    public int? StepsPerTask { get; init; }

    public string? Device { get; init; }

    public string Title { get; init; } = "Continual learning comparison";

    public static string PlanPath(string directory) => Path.Combine(directory, "compare.json");

    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(PlanPath(Directory), JsonSerializer.Serialize(this, ExperimentConfig.Json));
    }

    public static ComparisonPlan Load(string directory) =>
        JsonSerializer.Deserialize<ComparisonPlan>(File.ReadAllText(PlanPath(directory)), ExperimentConfig.Json)
        ?? throw new InvalidDataException($"{PlanPath(directory)} is empty");

    public ExperimentConfig ConfigFor(string method, ulong seed)
    {
        var config = ExperimentPresets.Create(Preset, method, seed);
        if (StepsPerTask is { } steps)
        {
            config = config with { StepsPerTask = steps };
        }
        if (Device is { } device)
        {
            config = config with { Device = device };
        }
        return config;
    }

    public string RunDirectory(string method, ulong seed) => Path.Combine(Directory, $"{method}-seed{seed}");

    /// <summary>
    /// Runs (or resumes) every unfinished run, then writes the report. <paramref name="host"/> runs one run's body with a
    /// progress sink (e.g. a console display labelled with the method and seed).
    /// </summary>
    public ComparisonReport Execute(Func<string, Func<IRunProgress, RunResult>, RunResult> host)
    {
        Save();
        var results = new List<RunResult>();
        foreach (var seed in Seeds)
        {
            foreach (var method in Methods)
            {
                var folder = new RunFolder(RunDirectory(method, seed));
                if (folder.IsFinished)
                {
                    results.Add(ResultJson.Read(folder.ResultsPath));
                    continue;
                }
                var config = folder.HasCheckpoint ? folder.ReadConfig() : ConfigFor(method, seed);
                results.Add(host($"{method} seed {seed}", progress => new ExperimentRunner(config, folder, ExperimentDomains.For(config), progress).Run()));
            }
        }
        var report = new ComparisonReport(results, Title);
        report.Write(Directory);
        return report;
    }
}
