using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// The layout of a run folder: config.json, metrics.jsonl (one line per step), evaluations.jsonl, probes.csv,
/// checkpoints/latest.safetensors (+ one per finished task), samples/*.png, results.json, report.md/.html.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string ConfigPath => Path.Combine(Root, "config.json");

    public string MetricsPath => Path.Combine(Root, "metrics.jsonl");

    public string EvaluationsPath => Path.Combine(Root, "evaluations.jsonl");

    public string ProbesPath => Path.Combine(Root, "probes.csv");

    public string CheckpointDirectory => Path.Combine(Root, "checkpoints");

    public string LatestCheckpoint => Path.Combine(CheckpointDirectory, "latest.safetensors");

    public string TaskCheckpoint(int task) => Path.Combine(CheckpointDirectory, $"after-task-{task + 1:00}.safetensors");

    public string SamplesDirectory => Path.Combine(Root, "samples");

    public string ResultsPath => Path.Combine(Root, "results.json");

    public bool HasCheckpoint => File.Exists(LatestCheckpoint);

    public bool IsFinished => File.Exists(ResultsPath);

    public void WriteConfig(ExperimentConfig config)
    {
        Directory.CreateDirectory(Root);
        AtomicFile.WriteAllText(ConfigPath, config.ToJson());
    }

    public ExperimentConfig ReadConfig()
    {
        if (!File.Exists(ConfigPath))
        {
            throw new FileNotFoundException($"{ConfigPath} not found: '{Root}' is not a run folder (start one with `ntr run`)");
        }
        ExperimentConfig config;
        try
        {
            config = ExperimentConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{ConfigPath} is not a valid run configuration ({e.Message}). Fix: restore it from a backup, or start the run again with `ntr run`.", e);
        }
        try
        {
            return config.Validate();
        }
        catch (UsageException e)
        {
            throw new InvalidDataException($"{ConfigPath}: {e.Message}. Fix: correct the file, or start the run again with `ntr run`.", e);
        }
    }

    /// <summary>
    /// Checks everything a resume reads before it builds anything: config.json and, when present, the header of
    /// checkpoints/latest.safetensors (its length, JSON and offsets; no tensor data is read).
    /// </summary>
    public ExperimentConfig CheckResumable()
    {
        if (!Directory.Exists(Root))
        {
            throw new UsageException($"{Root} does not exist; pass the folder of a run started with `ntr run` or `ntr compare`");
        }
        var config = ReadConfig();
        if (HasCheckpoint)
        {
            RunCheckpoint.CheckHeader(LatestCheckpoint, config.Method);
        }
        return config;
    }
}
