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

    /// <summary>Why the run failed (exception type and message), written when it fails; removed when it starts again.</summary>
    public string FailurePath => Path.Combine(Root, "failure.txt");

    /// <summary>Held (an exclusive advisory lock) by the process training the run; the kernel drops it when that process dies.</summary>
    public string LockPath => Path.Combine(Root, "run.lock");

    public bool HasCheckpoint => File.Exists(LatestCheckpoint);

    public bool IsFinished => File.Exists(ResultsPath);

    /// <summary>
    /// Marks the run as being trained by this process until disposed (an exclusive lock on run.lock) and clears an
    /// earlier failure. Refuses a run folder another process is training.
    /// </summary>
    public IDisposable MarkRunning()
    {
        Directory.CreateDirectory(Root);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var handle = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                if (File.Exists(FailurePath))
                {
                    File.Delete(FailurePath);
                }
                return handle;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(50); // `ntr status` holds a shared lock for an instant
            }
            catch (IOException)
            {
                throw new InvalidOperationException($"{Root} is being trained by another process (it holds {LockPath}). Fix: wait for it to finish or stop it, or use another run folder.");
            }
        }
    }

    /// <summary>Whether a process (on this machine, or one sharing the lock through the file system) is training the run now.</summary>
    public bool IsRunning
    {
        get
        {
            if (!File.Exists(LockPath))
            {
                return false;
            }
            try
            {
                using var probe = new FileStream(LockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                return false;
            }
            catch (IOException)
            {
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    public void WriteFailure(Exception e)
    {
        Directory.CreateDirectory(Root);
        AtomicFile.WriteAllText(FailurePath, $"{e.GetType().Name}: {e.Message}\n");
    }

    public string? ReadFailure() => File.Exists(FailurePath) ? File.ReadAllText(FailurePath).Trim() : null;

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
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
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
