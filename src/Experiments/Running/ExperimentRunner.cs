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

    /// <summary>
    /// The ranks of a data-parallel run (launched by mpirun, one process each); every rank runs this runner with its own
    /// run folder (rank 0 the user's). One rank by default.
    /// </summary>
    public Engine.Distributed.ICollective Collective { get; init; } = Engine.Distributed.SingleRank.Instance;

    /// <summary>
    /// On a CUDA device, run each task's training step as a CUDA graph captured once and replayed
    /// (<see cref="CapturedReplayAndPenaltyStep"/>: finetune, ewc, replay, trust-region; other methods run eagerly with a
    /// note). The losses are then read back every <see cref="LossReadEvery"/> steps, and a diverged loss is noticed up to
    /// that many steps late. No effect on the CPU.
    /// </summary>
    public bool CudaGraph { get; init; } = true;

    /// <summary>Steps between two host reads of a captured step's losses (the metrics lines are written then).</summary>
    public int LossReadEvery { get; init; } = 10;

    /// <summary>Stops the run after this many steps in total (to simulate a crash in tests); null = run to the end.</summary>
    public long? StopAfterSteps { get; init; }

    /// <summary>
    /// Trains to the end, or until <paramref name="stop"/> is signalled (SIGTERM from Slurm before a time limit or a
    /// requeue): the run then finishes the step in progress, writes its checkpoint and throws
    /// <see cref="RunInterruptedException"/> with <see cref="RunInterruptedException.Checkpointed"/> set; resuming it
    /// gives the same results as an uninterrupted run. A stop during a task's end (Fisher estimate, replay generation,
    /// evaluation) takes effect after the task's checkpoint. A run that fails writes the reason to failure.txt.
    /// With config.json's <see cref="ExperimentConfig.Precision"/> set, everything the run computes on this thread —
    /// training steps, Fisher estimates, replay generation, evaluation — uses that precision.
    /// </summary>
    public RunResult Run(CancellationToken stop = default)
    {
        using var running = _folder.MarkRunning();
        // config.json's precision (absent: the device's default, nothing set); bf16 holds for this thread's whole run
        using var precision = _config.Precision is { } chosen ? chosen.Enter(BackendRegistry.For(_config.Device)) : null;
        try
        {
            return RunToEnd(stop);
        }
        catch (Exception e) when (e is not RunInterruptedException)
        {
            _folder.WriteFailure(e);
            throw;
        }
    }

    private RunResult RunToEnd(CancellationToken stop)
    {
        try
        {
            return RunCore(stop);
        }
        catch (Engine.Backends.Cuda.CudaOutOfMemoryException e)
        {
            throw new RunOutOfMemoryException(_config, _where, e, _folder.HasCheckpoint ? _folder.LatestCheckpoint : null);
        }
    }

    /// <summary>What the run is doing, for an out-of-memory message ("building the model", "step 12 of task 2", …).</summary>
    private string _where = "starting";

    private RunResult RunCore(CancellationToken stop)
    {
        _config.Validate();
        var resuming = _folder.HasCheckpoint;
        if (!resuming)
        {
            _folder.WriteConfig(_config);
        }
        _progress.Phase("building the model and the task stream");
        _where = "building the model and the task stream";
        var setup = _domain.Build(_config, _progress);
        var method = MethodTable.Create(_config.Method);
        var ctx = new ContinualContext(setup.Model, setup.Schedule, setup.Stream, _config.Hyper, setup.Replay, _config.Seed) { Collective = Collective };
        // with several ranks, all of them must stop at the same step (each waits for the others in every all-reduce)
        bool StopRequested() => Engine.Distributed.Collectives.AnyRank(Collective, stop.IsCancellationRequested);
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
                using var captured = CudaGraph && state.StepInTask < _config.StepsPerTask ? CapturedStepFor(method, ctx, task) : null;
                // graph steps: their metrics lines wait here until their losses are read back (every LossReadEvery steps)
                var pending = new List<(JsonObject Line, long GlobalStep, int StepInTask, double Rate)>();
                void Flush()
                {
                    if (captured is null || pending.Count == 0)
                    {
                        return;
                    }
                    var values = captured.DrainLosses();
                    for (var i = 0; i < pending.Count; i++)
                    {
                        var (line, globalStep, stepInTask, stepRate) = pending[i];
                        var (loss, penalty, gradNorm) = (values[i].Loss, values[i].Penalty, values[i].GradientNorm);
                        if (!double.IsFinite(loss))
                        {
                            throw Diverged(globalStep - 1, stepInTask - 1, task, setup.Stream.Tasks[task].Name, [$"loss = {loss.ToString(CultureInfo.InvariantCulture)} (read back after the CUDA graph ran {pending.Count - i - 1} more step(s))"]);
                        }
                        line["loss"] = loss;
                        if (penalty is { } p)
                        {
                            line["ewc_penalty"] = double.IsFinite(p) ? p : null;
                        }
                        if (gradNorm is { } g)
                        {
                            line["grad_norm"] = double.IsFinite(g) ? g : null;
                        }
                        metrics.Write(line);
                        _progress.Step(task, stepInTask, loss, stepRate);
                    }
                    pending.Clear();
                }
                var window = Stopwatch.StartNew();
                var windowSteps = 0;
                var taskProbeSeconds = 0.0;
                while (state.StepInTask < _config.StepsPerTask)
                {
                    if (StopRequested())
                    {
                        Flush();
                        // after BeginTask nothing is saved at step 0: the previous task's checkpoint is the resume point
                        if (state.StepInTask > 0)
                        {
                            Checkpoint(ctx, method, state, configJson, wallBefore, clock, null);
                        }
                        throw new RunInterruptedException(state.GlobalStep, checkpointed: _folder.HasCheckpoint);
                    }
                    if (StopAfterSteps is { } stopAt && state.GlobalStep >= stopAt)
                    {
                        Flush();
                        return Stopped(state);
                    }
                    StepStats stats;
                    try
                    {
                        _where = $"training step {state.StepInTask + 1} of task {task + 1}";
                        ctx.Optimizer.LearningRate = LearningRateSchedule.At(ctx.Hyper, state.StepInTask + 1, _config.StepsPerTask);
                        if (captured is not null)
                        {
                            var refusedBefore = captured.CaptureRefusal;
                            captured.Step();
                            stats = new StepStats(double.NaN);
                            if (refusedBefore is null && captured.CaptureRefusal is { } refusal)
                            {
                                _progress.Phase($"task {task + 1}: the CUDA graph capture was refused, the steps run eagerly: {refusal}");
                            }
                        }
                        else
                        {
                            using (TensorScope.Begin())
                            {
                                stats = method.Step(ctx, task, state.StepInTask + 1);
                            }
                        }
                    }
                    catch (NonFiniteLossException e)
                    {
                        throw Diverged(state, task, setup.Stream.Tasks[task].Name, [$"loss = {e.Value.ToString(CultureInfo.InvariantCulture)}"]);
                    }
                    if (captured is null && !double.IsFinite(stats.Loss))
                    {
                        var bad = new List<string> { $"loss = {stats.Loss.ToString(CultureInfo.InvariantCulture)}" };
                        bad.AddRange((stats.Extra ?? new Dictionary<string, double>()).Where(kv => !double.IsFinite(kv.Value))
                            .Select(kv => $"{kv.Key} = {kv.Value.ToString(CultureInfo.InvariantCulture)}"));
                        throw Diverged(state, task, setup.Stream.Tasks[task].Name, bad);
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
                    if (ctx.Hyper.LearningRateDecayFraction > 0)
                    {
                        line["learning_rate"] = ctx.Optimizer.LearningRate;
                    }
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
                        taskProbeSeconds += probeSeconds;
                        line["probe_seconds"] = Math.Round(probeSeconds, 4);
                        window.Start();
                    }
                    if (captured is not null)
                    {
                        pending.Add((line, state.GlobalStep, state.StepInTask, rate));
                        if (pending.Count >= LossReadEvery)
                        {
                            Flush();
                        }
                    }
                    else
                    {
                        metrics.Write(line);
                        _progress.Step(task, state.StepInTask, stats.Loss, rate);
                    }
                    if (state.StepInTask % _config.CheckpointEvery == 0 && state.StepInTask < _config.StepsPerTask)
                    {
                        Flush();
                        Checkpoint(ctx, method, state, configJson, wallBefore, clock, null);
                    }
                }
                Flush();
                var trainSeconds = window.Elapsed.TotalSeconds;
                _progress.Phase(EndTaskDescription(task, tasks));
                _where = EndTaskDescription(task, tasks);
                var endTaskClock = Stopwatch.StartNew();
                method.EndTask(ctx, task);
                var endTaskSeconds = endTaskClock.Elapsed.TotalSeconds;
                var evaluationClock = Stopwatch.StartNew();
                _where = $"evaluating after task {task + 1}";
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
                var evaluationSeconds = evaluationClock.Elapsed.TotalSeconds;
                evaluations.Write(new JsonObject
                {
                    // where this task's wall time went (training steps of this process, probes, the method's end of
                    // task — Fisher estimate, replay-pool generation —, the evaluation with its sample grid)
                    ["train_seconds"] = Math.Round(trainSeconds, 3),
                    ["probe_seconds"] = Math.Round(taskProbeSeconds, 3),
                    ["end_task_seconds"] = Math.Round(endTaskSeconds, 3),
                    ["evaluation_seconds"] = Math.Round(evaluationSeconds, 3),
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
                if (task + 1 < tasks && StopRequested())
                {
                    throw new RunInterruptedException(state.GlobalStep, checkpointed: true);
                }
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

    /// <summary>The divergence error of the step after <paramref name="state"/>; nothing of that step has been logged or saved.</summary>
    private TrainingDivergedException Diverged(RunState state, int task, string taskName, IReadOnlyList<string> badTerms) =>
        Diverged(state.GlobalStep, state.StepInTask, task, taskName, badTerms);

    /// <summary>The divergence error of the step after the given step counts.</summary>
    private TrainingDivergedException Diverged(long globalStepBefore, int stepInTaskBefore, int task, string taskName, IReadOnlyList<string> badTerms)
    {
        string? checkpoint = _folder.HasCheckpoint ? _folder.LatestCheckpoint : null;
        long? checkpointStep = _lastCheckpointStep ?? (checkpoint is null ? null : ReadCheckpointStep(checkpoint));
        return new TrainingDivergedException(globalStepBefore + 1, task, taskName, stepInTaskBefore + 1, badTerms, _folder.Root, checkpoint, checkpointStep);
    }

    /// <summary>
    /// The task's step captured in a CUDA graph when the parameters are on a CUDA device and the method's step can be
    /// captured; otherwise null, with a one-line note on a CUDA device saying why the steps run eagerly.
    /// </summary>
    private CapturedReplayAndPenaltyStep? CapturedStepFor(IContinualMethod method, ContinualContext ctx, int task)
    {
        if (ctx.Parameters.Data.Backend.StepCapture is null)
        {
            return null;
        }
        var captured = CapturedReplayAndPenaltyStep.TryCreate(method, ctx, task, LossReadEvery, out var reason);
        _progress.Phase(captured is not null
            ? $"task {task + 1}: the training step runs as a CUDA graph (captured at its second step; losses read every {LossReadEvery} steps)"
            : $"task {task + 1}: eager training steps (not captured in a CUDA graph): {reason}");
        return captured;
    }

    private static long? ReadCheckpointStep(string checkpoint)
    {
        try
        {
            var runState = SafeTensorsFile.ReadHeader(checkpoint).Metadata["run_state"];
            return JsonSerializer.Deserialize<RunState>(runState)?.GlobalStep;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    private long? _lastCheckpointStep;

    private RunResult Stopped(RunState state) =>
        throw new RunInterruptedException(state.GlobalStep);

    private void Checkpoint(ContinualContext ctx, IContinualMethod method, RunState state, string configJson, double wallBefore, Stopwatch clock, int? finishedTask)
    {
        state.WallSeconds = wallBefore + clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(_folder.CheckpointDirectory);
        RunCheckpoint.Save(_folder.LatestCheckpoint, ctx, method, state, configJson);
        _lastCheckpointStep = state.GlobalStep;
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

/// <summary>
/// The run stopped before finishing: on a stop request (SIGTERM; <see cref="Checkpointed"/> says whether a checkpoint
/// to resume from exists) or after <see cref="ExperimentRunner.StopAfterSteps"/> (a simulated crash in tests).
/// </summary>
public sealed class RunInterruptedException(long step, bool checkpointed = false)
    : Exception(checkpointed ? $"run stopped after step {step}; its checkpoint is written" : $"run stopped after step {step}")
{
    public long Step { get; } = step;

    public bool Checkpointed { get; } = checkpointed;
}

/// <summary>JSON settings of results.json.</summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static RunResult Read(string path)
    {
        RunResult? result;
        try
        {
            result = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid results file ({e.Message}). Fix: delete it and finish the run again with `ntr resume`.", e);
        }
        if (result is null || result.Matrix is null || result.Method is null)
        {
            throw new InvalidDataException($"{path} is empty or incomplete. Fix: delete it and finish the run again with `ntr resume`.");
        }
        return result;
    }
}
