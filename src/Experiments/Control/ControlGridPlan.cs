using NativeTrustRegion.Engine;
using System.Text.Json;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// The paper's Table 5 grid search (Appendix C.2): for every policy configuration (S, O, A) and every CW10 task, one
/// policy trained from scratch on that task alone (finetuning on a one-task stream: no continual updates), its success
/// rate after training, and per configuration the mean over the tasks. Each (configuration, task) is a resumable run
/// folder <c>DIR/S8_O6_A2/&lt;task&gt;</c>: finished runs are read back, interrupted ones resumed, so running the
/// same plan again continues it. The base preset supplies everything else (cw10-paper: the paper's model and training).
/// </summary>
public sealed record ControlGridPlan
{
    public required string BasePreset { get; init; }

    public required IReadOnlyList<PolicyShape> Shapes { get; init; }

    public required string Directory { get; init; }

    public ulong Seed { get; init; } = 123;

    /// <summary>A subset of the preset's tasks (null = all of them, CW10's ten for cw10-paper).</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    public int? StepsPerTask { get; init; }

    public string? Device { get; init; }

    /// <summary>A change applied to every new run's configuration after the ones above (tests, tools); not saved.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Func<ExperimentConfig, ExperimentConfig>? Adjust { get; init; }

    public IReadOnlyList<string> TaskNames => Tasks ?? Base().ControlTasks;

    private ExperimentConfig Base()
    {
        var config = ExperimentPresets.Create(BasePreset, "finetune", Seed);
        if (config.Domain != ExperimentDomain.Control)
        {
            throw new UsageException($"the grid search trains diffusion policies; preset '{BasePreset}' is an image preset. Use cw10-paper or cw10-cpu");
        }
        return config;
    }

    public string RunDirectory(PolicyShape shape, string task) => Path.Combine(Directory, shape.Name, task);

    /// <summary>The run of one configuration on one task: finetuning from scratch on that task alone.</summary>
    public ExperimentConfig ConfigFor(PolicyShape shape, string task)
    {
        shape.Validate();
        var b = Base();
        var config = b with
        {
            Preset = $"{BasePreset}-grid",
            Method = "finetune",
            ControlTasks = [task],
            Control = b.Control with { PolicySequenceLength = shape.SequenceLength, PolicyObservationSteps = shape.ObservationSteps, ActionChunk = shape.ActionChunk },
            // nothing re-converges in a one-task run: the cheap probe only, no success-rate rollouts during training
            Evaluation = b.Evaluation with { ProbeMetric = ProbeMetricKind.DenoisingLoss },
        };
        if (StepsPerTask is { } steps)
        {
            config = config with { StepsPerTask = steps };
        }
        if (Device is { } device)
        {
            config = config with { Device = Engine.Device.Parse(device) };
        }
        return Adjust is null ? config : Adjust(config);
    }

    public static string PlanPath(string directory) => Path.Combine(directory, "grid.json");

    /// <summary>
    /// Trains (or resumes, or reads back) every (configuration, task) run in order, writing the table after each
    /// configuration, and returns the finished table.
    /// </summary>
    public ControlGridResult Execute(Func<string, IRunProgress> progressFor)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(PlanPath(Directory), JsonSerializer.Serialize(this, ExperimentConfig.Json));
        var tasks = TaskNames;
        var rows = new List<ControlGridRow>();
        foreach (var shape in Shapes)
        {
            var success = new double[tasks.Count];
            for (var t = 0; t < tasks.Count; t++)
            {
                var folder = new RunFolder(RunDirectory(shape, tasks[t]));
                RunResult result;
                if (folder.IsFinished)
                {
                    result = ResultJson.Read(folder.ResultsPath);
                }
                else
                {
                    var config = folder.HasCheckpoint ? folder.ReadConfig() : ConfigFor(shape, tasks[t]);
                    result = new ExperimentRunner(config, folder, ExperimentDomains.For(config), progressFor($"{shape.Name} {tasks[t]}")).Run();
                }
                success[t] = result.Matrix[0][0] ?? double.NaN;
            }
            rows.Add(new ControlGridRow(shape, success));
            new ControlGridResult(tasks, rows).Write(Directory);
        }
        var finished = new ControlGridResult(tasks, rows);
        finished.Write(Directory);
        return finished;
    }
}
