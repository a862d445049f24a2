using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using NativeTrustRegion.Engine;
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

    /// <summary>Keep only the first N tasks of the preset's stream (a quick check of a sweep); null = all.</summary>
    public int? Tasks { get; init; }

    /// <summary>Generated samples (images) or rollouts (control) per task in the evaluations; null = the preset's.</summary>
    public int? EvaluationSamples { get; init; }

    /// <summary>FTML / VR-MCL meta-gradient order for every run ("first-order", "second-order"); null = the preset's (first-order).</summary>
    public string? MetaGradient { get; init; }

    /// <summary>`--set KEY=VALUE` changes of every run's configuration (<see cref="ConfigAssignments"/>), applied after the options above.</summary>
    public string[] Settings { get; init; } = [];

    /// <summary>How the runs are executed: "local" (in this process) or "slurm" (one Slurm job array; see SlurmSweep).</summary>
    public string Executor { get; init; } = "local";

    /// <summary>A change applied to every new run's configuration after the overrides above (tests, tools); not saved in compare.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Func<ExperimentConfig, ExperimentConfig>? Adjust { get; init; }

    public string Title { get; init; } = "Continual learning comparison";

    /// <summary>
    /// The seeds of a comparison: the ones given explicitly (e.g. --seeds), else the preset's own list
    /// (<see cref="ExperimentPresets.Seeds"/>: 3 for imagenet500-paper, 4 for cw10-paper, as the paper averages).
    /// </summary>
    public static ulong[] SeedsFor(string preset, IReadOnlyList<ulong>? explicitSeeds)
    {
        if (explicitSeeds is { Count: > 0 })
        {
            return explicitSeeds.ToArray();
        }
        return ExperimentPresets.Seeds(preset);
    }

    public static string PlanPath(string directory) => Path.Combine(directory, "compare.json");

    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(PlanPath(Directory), JsonSerializer.Serialize(this, ExperimentConfig.Json));
    }

    public static ComparisonPlan Load(string directory)
    {
        var path = PlanPath(directory);
        ComparisonPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<ComparisonPlan>(File.ReadAllText(path), ExperimentConfig.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid comparison plan ({e.Message}). Fix: restore it, or start the comparison again with `ntr compare`.", e);
        }
        if (plan is null || plan.Methods is null || plan.Seeds is null || plan.Preset is null)
        {
            throw new InvalidDataException($"{path} is empty or incomplete. Fix: start the comparison again with `ntr compare`.");
        }
        try
        {
            return plan.Validate();
        }
        catch (UsageException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}. Fix: correct the file, or start the comparison again with `ntr compare`.", e);
        }
    }

    /// <summary>
    /// Checks every run of the plan (preset, methods, seeds, overrides) and the folders of runs already started
    /// (config.json, checkpoint header) before any run starts; throws a <see cref="UsageException"/> listing the valid
    /// choices, or an <see cref="InvalidDataException"/> naming a corrupt file.
    /// </summary>
    public ComparisonPlan Validate()
    {
        if (!ExperimentPresets.Names.Contains(Preset))
        {
            throw UsageException.Unknown("preset", Preset, ExperimentPresets.Names);
        }
        if (Methods.Length == 0)
        {
            throw new UsageException($"no methods given; valid: {string.Join(", ", Continual.Methods.MethodTable.All)}");
        }
        if (Seeds.Length == 0)
        {
            throw new UsageException("no seeds given; e.g. --seeds 1,2,3");
        }
        if (Workers is { } w)
        {
            UsageException.RequireAtLeast("--workers", w, 1);
        }
        foreach (var method in Methods)
        {
            Continual.Methods.MethodTable.Validate(method);
        }
        foreach (var seed in Seeds)
        {
            foreach (var method in Methods)
            {
                ConfigFor(method, seed).Validate();
                var folder = new RunFolder(RunDirectory(method, seed));
                if (folder.HasCheckpoint && !folder.IsFinished)
                {
                    folder.CheckResumable();
                }
            }
        }
        return this;
    }

    public ExperimentConfig ConfigFor(string method, ulong seed)
    {
        var config = ConfigOverrides.Apply(ExperimentPresets.Create(Preset, method, seed), StepsPerTask, Device, Tasks, EvaluationSamples, MetaGradient, settings: Settings ?? []);
        return Adjust is null ? config : Adjust(config);
    }

    public string RunDirectory(string method, ulong seed) => Path.Combine(Directory, $"{method}-seed{seed}");

    /// <summary>Every run of the comparison in a fixed order (seeds outer, methods inner): Slurm's array task index i is run i.</summary>
    public IReadOnlyList<(string Method, ulong Seed)> Runs => Seeds.SelectMany(seed => Methods.Select(method => (method, seed))).ToArray();

    /// <summary>
    /// Runs trained at the same time, each on a thread of its own with an equal share of the CPU threads; null = one
    /// per processor core for CPU runs (small models use one core far better than two), one for GPU runs. Results
    /// do not depend on it: every CPU kernel splits its work independently of the thread count.
    /// </summary>
    public int? Workers { get; init; }

    /// <summary>The host's back end, whose thread budget the workers share (GPU runs still prepare data on the host).</summary>
    private static IBackend HostThreads => BackendRegistry.CpuBackend;

    /// <summary>The number of runs <see cref="Execute"/> trains at once when <paramref name="pending"/> runs are left.</summary>
    public int WorkersFor(int pending)
    {
        var onGpu = (Device is { } device ? Engine.Device.Parse(device) : ExperimentPresets.Create(Preset, Methods[0], Seeds[0]).Device).IsCuda;
        var wanted = Workers ?? (onGpu ? 1 : HostThreads.ThreadBudget);
        return Math.Clamp(wanted, 1, Math.Max(1, pending));
    }

    /// <summary>
    /// Runs (or resumes) every unfinished run, then writes the report. <paramref name="progressFor"/> gives the progress
    /// sink of one run from its label (method and seed); with several workers it is called from their threads.
    /// A failed run does not stop the others; the first failure is rethrown once they have finished.
    /// </summary>
    /// <remarks>
    /// <paramref name="stop"/> (SIGTERM) stops every run at its next step boundary with a checkpoint; then the first
    /// <see cref="RunInterruptedException"/> is rethrown (after any other failure) and `ntr resume` continues the comparison.
    /// </remarks>
    public ComparisonReport Execute(Func<string, IRunProgress> progressFor, CancellationToken stop = default)
    {
        Validate();
        Save();
        var slots = Runs.ToArray();
        var results = new RunResult?[slots.Length];
        var pending = new List<int>();
        for (var i = 0; i < slots.Length; i++)
        {
            var folder = new RunFolder(RunDirectory(slots[i].Method, slots[i].Seed));
            if (folder.IsFinished)
            {
                results[i] = ResultJson.Read(folder.ResultsPath);
            }
            else
            {
                pending.Add(i);
            }
        }

        var workers = WorkersFor(pending.Count);
        var threadsPerRun = Math.Max(1, HostThreads.ThreadBudget / workers);
        var failures = new ConcurrentQueue<ExceptionDispatchInfo>();
        var interruptions = new ConcurrentQueue<ExceptionDispatchInfo>();
        var next = -1;
        void Work()
        {
            using var limit = HostThreads.LimitThreads(threadsPerRun);
            for (var k = Interlocked.Increment(ref next); k < pending.Count && !stop.IsCancellationRequested; k = Interlocked.Increment(ref next))
            {
                var (method, seed) = slots[pending[k]];
                try
                {
                    var folder = new RunFolder(RunDirectory(method, seed));
                    var config = folder.HasCheckpoint ? folder.ReadConfig() : ConfigFor(method, seed);
                    results[pending[k]] = new ExperimentRunner(config, folder, ExperimentDomains.For(config), progressFor($"{method} seed {seed}")).Run(stop);
                }
                catch (RunInterruptedException e)
                {
                    interruptions.Enqueue(ExceptionDispatchInfo.Capture(e));
                }
                catch (Exception e)
                {
                    failures.Enqueue(ExceptionDispatchInfo.Capture(e));
                }
            }
        }

        if (workers == 1)
        {
            Work();
        }
        else
        {
            var threads = Enumerable.Range(0, workers)
                .Select(w => new Thread(Work, WorkerStackBytes) { Name = $"ntr run worker {w + 1}", IsBackground = true })
                .ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        if (failures.TryDequeue(out var first))
        {
            first.Throw();
        }
        if (interruptions.TryDequeue(out var interrupted))
        {
            interrupted.Throw();
        }
        var report = new ComparisonReport(results.Select(r => r!).ToList(), Title);
        report.Write(Directory);
        return report;
    }

    /// <summary>The main thread's usual stack (worker threads otherwise get 1.5 MB).</summary>
    private const int WorkerStackBytes = 8 * 1024 * 1024;
}
