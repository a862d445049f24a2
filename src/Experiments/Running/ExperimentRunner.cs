using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// Runs one method over a task stream: for each task, BeginTask, the training steps (each in its own tensor scope,
/// logged to metrics.jsonl, with re-convergence probes of every seen task on the dense-then-sparse schedule), EndTask,
/// then the evaluation of every seen task. Checkpoints every few steps and after every task; a killed run resumes from
/// the last checkpoint and, on the CPU, finishes with bit-identical results.
/// </summary>
public sealed class ExperimentRunner
{
    private readonly ExperimentConfig _config;
    private readonly RunFolder _folder;
    private readonly IExperimentDomain _domain;
    private readonly IRunProgress _progress;

    public ExperimentRunner(ExperimentConfig config, RunFolder folder, IExperimentDomain domain, IRunProgress progress)
    {
        _config = config;
        _folder = folder;
        _domain = domain;
        _progress = progress;
    }

    /// <summary>Stops the run after this many steps in total (to simulate a crash in tests); null = run to the end.</summary>
    public long? StopAfterSteps { get; init; }

    public RunResult Run(CancellationToken cancel = default)
    {
        var resuming = _folder.HasCheckpoint;
        if (!resuming)
        {
            _folder.WriteConfig(_config);
        }
        _progress.Phase("building the model and the task stream");
        var setup = _domain.Build(_config, _progress);
        var method = MethodTable.Create(_config.Method);
        var ctx = new ContinualContext(setup.Model, setup.Schedule, setup.Stream, _config.Hyper, setup.Replay, _config.Seed);
        var evaluator = setup.Evaluator;
        if (resuming)
        {
            EnsureSameMetric(evaluator.Metric.Name);
        }
        var probe = new ProbeEvaluator(setup.Schedule, setup.ProbeBatches, _config.Evaluation.ProbeTimesteps, _config.Seed ^ 0x9E3779B97F4A7C15UL);
        var probeWithTaskMetric = _config.Evaluation.ProbeMetric == ProbeMetricKind.TaskMetric;
        var probeMetric = probeWithTaskMetric
            ? evaluator.Metric with { Description = $"{evaluator.Metric.Description} Probed with {_config.Evaluation.ProbeTaskMetricSamples} samples per point." }
            : ProbeEvaluator.Metric(_config.Evaluation.ProbeTimesteps, setup.ProbeBatches[0].Size);
        var schedule = new ProbeSchedule(_config.StepsPerTask, _config.Evaluation.ProbeDenseSteps, _config.Evaluation.ProbeGrowth);
        var tasks = setup.Stream.Count;
        RunState state;
        if (resuming)
        {
            _progress.Phase($"resuming from {_folder.LatestCheckpoint}");
            state = RunCheckpoint.Load(_folder.LatestCheckpoint, ctx, method);
        }
        else
        {
            state = RunState.Fresh(tasks, evaluator.SecondaryMetric is not null);
        }
        var configJson = _config.ToJson();
        var clock = Stopwatch.StartNew();
        var wallBefore = state.WallSeconds;
        using (var metrics = new JsonLines(_folder.MetricsPath, resuming ? state.GlobalStep : null))
        using (var evaluations = new JsonLines(_folder.EvaluationsPath, resuming ? state.GlobalStep : null))
        {
            for (var task = state.Task; task < tasks; task++)
            {
                if (state.StepInTask == 0)
                {
                    method.BeginTask(ctx, task);
                }
                _progress.StartTask(task, tasks, _config.StepsPerTask, state.StepInTask);
                var window = Stopwatch.StartNew();
                var windowSteps = 0;
                while (state.StepInTask < _config.StepsPerTask)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (StopAfterSteps is { } stop && state.GlobalStep >= stop)
                    {
                        return Stopped(state);
                    }
                    StepStats stats;
                    using (TensorScope.Begin())
                    {
                        stats = method.Step(ctx, task, state.StepInTask + 1);
                    }
                    state.StepInTask++;
                    state.GlobalStep++;
                    windowSteps++;
                    var rate = windowSteps / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                    var line = new JsonObject
                    {
                        ["step"] = state.GlobalStep,
                        ["task"] = task + 1,
                        ["step_in_task"] = state.StepInTask,
                        ["loss"] = stats.Loss,
                        ["steps_per_second"] = Math.Round(rate, 3),
                    };
                    if (stats.Extra is not null)
                    {
                        foreach (var (k, v) in stats.Extra)
                        {
                            line[k] = double.IsFinite(v) ? v : null;
                        }
                    }
                    if (schedule.IsProbeStep(state.StepInTask))
                    {
                        // probes are timed apart from training: the window that gives it/s does not run during them
                        window.Stop();
                        var probeClock = Stopwatch.StartNew();
                        for (var j = 0; j <= task; j++)
                        {
                            var value = probeWithTaskMetric
                                ? evaluator.Probe(ctx.Model, j, _config.Evaluation.ProbeTaskMetricSamples)
                                : probe.Evaluate(ctx.Model, j);
                            state.Probes.Add(new ProbeRecord(j, state.GlobalStep, task, state.StepInTask, value));
                        }
                        var probeSeconds = probeClock.Elapsed.TotalSeconds;
                        state.ProbeSeconds += probeSeconds;
                        line["probe_seconds"] = Math.Round(probeSeconds, 4);
                        window.Start();
                    }
                    metrics.Write(line);
                    _progress.Step(task, state.StepInTask, stats.Loss, rate);
                    if (state.StepInTask % _config.CheckpointEvery == 0 && state.StepInTask < _config.StepsPerTask)
                    {
                        Checkpoint(ctx, method, state, configJson, wallBefore, clock, null);
                    }
                }
                _progress.Phase(EndTaskDescription(task, tasks));
                method.EndTask(ctx, task);
                _progress.Phase($"evaluating tasks 1..{task + 1} ({evaluator.Metric.Name})");
                for (var j = 0; j <= task; j++)
                {
                    var e = evaluator.Evaluate(ctx.Model, j);
                    state.Matrix[task][j] = e.Value;
                    if (state.Secondary is not null)
                    {
                        state.Secondary[task][j] = e.Secondary;
                    }
                }
                evaluator.WriteArtifacts(ctx.Model, task, _folder.SamplesDirectory);
                evaluations.Write(new JsonObject
                {
                    ["step"] = state.GlobalStep,
                    ["after_task"] = task + 1,
                    ["metric"] = evaluator.Metric.Name,
                    ["values"] = JsonSerializer.SerializeToNode(state.Matrix[task]),
                    ["secondary"] = state.Secondary is null ? null : JsonSerializer.SerializeToNode(state.Secondary[task]),
                });
                _progress.TaskEvaluated(task, state.Matrix[task], evaluator.Metric.Name);
                state.Task = task + 1;
                state.StepInTask = 0;
                Checkpoint(ctx, method, state, configJson, wallBefore, clock, task);
            }
        }
        state.WallSeconds = wallBefore + clock.Elapsed.TotalSeconds;
        var result = new RunResult
        {
            Method = _config.Method,
            Seed = (int)_config.Seed,
            Preset = _config.Preset,
            Metric = evaluator.Metric,
            ProbeMetric = probeMetric,
            SecondaryMetric = evaluator.SecondaryMetric,
            TaskNames = setup.Stream.Tasks.Select(t => t.Name).ToArray(),
            StepsPerTask = _config.StepsPerTask,
            Matrix = state.Matrix,
            SecondaryMatrix = state.Secondary,
            Probes = state.Probes,
            WallSeconds = state.WallSeconds,
            ProbeSeconds = state.ProbeSeconds,
            Notes = setup.Notes,
        };
        WriteProbes(state);
        AtomicFile.WriteAllText(_folder.ResultsPath, JsonSerializer.Serialize(result, ResultJson.Options));
        return result;
    }

    /// <summary>
    /// A resumed run must be evaluated as before (the FID network can change with $NTR_INCEPTION_WEIGHTS): every
    /// evaluation already logged must carry the evaluator's metric name.
    /// </summary>
    private void EnsureSameMetric(string metric)
    {
        if (!File.Exists(_folder.EvaluationsPath))
        {
            return;
        }
        foreach (var line in File.ReadLines(_folder.EvaluationsPath))
        {
            string? earlier;
            try
            {
                earlier = JsonNode.Parse(line)?["metric"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                continue; // a half-written last line from a crash
            }
            if (earlier is not null && earlier != metric)
            {
                throw new InvalidOperationException(
                    $"{_folder.Root} was evaluated with '{earlier}' but resuming it would evaluate with '{metric}'. " +
                    "Fix: resume with the same FID feature network as when the run started (set or unset NTR_INCEPTION_WEIGHTS as then).");
            }
        }
    }

    private static string EndTaskDescription(int task, int tasks) =>
        task == tasks - 1 ? "finishing the last task" : $"end of task {task + 1}: Fisher estimate / replay generation (if the method uses them)";

    private RunResult Stopped(RunState state) =>
        throw new RunInterruptedException(state.GlobalStep);

    private void Checkpoint(ContinualContext ctx, IContinualMethod method, RunState state, string configJson, double wallBefore, Stopwatch clock, int? finishedTask)
    {
        state.WallSeconds = wallBefore + clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(_folder.CheckpointDirectory);
        RunCheckpoint.Save(_folder.LatestCheckpoint, ctx, method, state, configJson);
        if (finishedTask is { } t)
        {
            ParameterCheckpoint.Save(_folder.TaskCheckpoint(t), ctx.Parameters, metadata: new Dictionary<string, string>
            {
                ["after_task"] = (t + 1).ToString(CultureInfo.InvariantCulture),
                ["method"] = method.Id,
                ["model"] = ctx.Model.Name,
                ["config"] = configJson,
            });
        }
        WriteProbes(state);
    }

    private void WriteProbes(RunState state)
    {
        var lines = new List<string> { "task,step,training_task,step_in_task,value" };
        lines.AddRange(state.Probes.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Task + 1},{p.Step},{p.TrainingTask + 1},{p.StepInTask},{p.Value:R}")));
        AtomicFile.WriteAllText(_folder.ProbesPath, string.Join('\n', lines) + "\n");
    }
}

/// <summary>The run stopped on request before finishing (used to simulate a crash).</summary>
public sealed class RunInterruptedException(long step) : Exception($"run stopped after step {step}")
{
    public long Step { get; } = step;
}

/// <summary>JSON settings of results.json.</summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static RunResult Read(string path) =>
        JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty results");
}
