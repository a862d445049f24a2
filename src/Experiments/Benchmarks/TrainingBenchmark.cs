using System.Diagnostics;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// Steady-state training speed of a model preset under each continual method. Per method: a fresh model (seeded
/// weights) on the device, a two-task stream of random data of the model's shapes, the method's real set-up for the
/// second task (task 0's EndTask: its Fisher estimate and/or replay pool), warm-up steps, then timed steps of task 1,
/// each <c>method.Step</c> inside a tensor scope exactly as the experiment runner calls it, timed with device
/// synchronisation. The per-task work the timed step does not show is measured once and spread over the workload's
/// steps: replay-pool generation (DDIM, timed on the first pool, per sample, scaled to the workload's pool) and Fisher
/// estimation (timed on a few samples and scaled to the workload's count). Untimed plain steps before the first method
/// keep one-off process costs (JIT tiering, kernel loading) out of every method's numbers. Memory: the pool's peak of live step buffers, and on a GPU the device memory in
/// use after the timed steps beyond what was in use when the run started. On a CUDA device (unless
/// <see cref="TrainingBenchmarkSettings.CudaGraph"/> is off) each method then runs again from the same state with its
/// step captured in a CUDA graph (<see cref="CapturedReplayAndPenaltyStep"/>), timed the same way, with every step's loss
/// recorded both ways; methods whose step cannot be captured say why.
/// </summary>
public sealed class TrainingBenchmark(TrainingBenchmarkSettings settings, TextWriter log)
{
    private FisherEstimationTiming? _fisher;
    private double _lastEagerMedian;
    private long _parameters;
    private string _modelName = "";

    /// <param name="progress">Called with the partial result after each method (e.g. to save it before a time limit strikes).</param>
    public TrainingBenchmarkResult Run(Action<TrainingBenchmarkResult>? progress = null)
    {
        settings.Validate();
        var started = DateTime.UtcNow;
        var backend = BackendRegistry.For(settings.Device);
        using var precision = settings.Precision.Enter(backend);
        var machine = BenchmarkMachine.Describe(backend);
        var baseline = DeviceUsedBytes(backend);
        var replay = new BenchmarkReplayGenerator(new ConditionalSampleReplay());
        using var timer = backend.CreateStepTimer();
        WarmUpProcess(backend, replay);
        var timings = new List<MethodStepTiming>();
        var runs = settings.Methods.SelectMany(m => TrainingBenchmarkSettings.HasMetaGradient(m)
            ? settings.MetaGradients.Select(o => (Method: m, Order: (MetaGradientOrder?)o))
            : [(Method: m, Order: (MetaGradientOrder?)null)]);
        foreach (var (method, order) in runs)
        {
            var timing = TimeMethod(method, order, backend, replay, timer, baseline);
            timings.Add(timing);
            log.WriteLine($"{timing.Label,-14} median {timing.MedianStepMilliseconds,9:F2} ms/step  {timing.StepsPerSecond,8:F2} steps/s" +
                $"  effective {timing.EffectiveStepsPerSecond,8:F2} steps/s  peak pool {timing.PeakPoolBytes / 1048576.0,9:F1} MiB");
            Release(backend);
            progress?.Invoke(new TrainingBenchmarkResult(settings, _modelName, _parameters, machine, timer.Method, timings.ToArray(), replay.Timing, _fisher, started, false));
        }
        if (replay.Timing is null && settings.AlwaysTimeSampling)
        {
            MeasureSampling(backend, replay);
        }
        return new TrainingBenchmarkResult(settings, _modelName, _parameters, machine, timer.Method, timings, replay.Timing, _fisher, started, true);
    }

    private ContinualContext NewContext(IReplayGenerator replay, MetaGradientOrder? metaGradient = null)
    {
        var ctx = BenchmarkContext.Create(settings, replay, metaGradient ?? MetaGradientOrder.FirstOrder);
        _parameters = ctx.Parameters.Count;
        _modelName = ctx.Model.Name;
        return ctx;
    }

    /// <summary>
    /// A fresh context and method at the start of task 1 (task 0's EndTask done: Fisher estimate, replay pool); the
    /// Fisher estimation is timed once per run when <paramref name="timeFisher"/> (before EndTask, as its draws shift
    /// the Fisher generator: a second set-up of the same method passes the same flag to reach the same state).
    /// </summary>
    private (ContinualContext Ctx, IContinualMethod Method, bool Penalty, bool Replays) SetUp(string id, MetaGradientOrder? metaGradient, BenchmarkReplayGenerator replay, bool timeFisher)
    {
        var ctx = NewContext(replay, metaGradient);
        var method = MethodTable.Create(id);
        var penalty = method is ReplayAndPenaltyMethod { PenaltyForm: not null };
        method.BeginTask(ctx, 0);
        if (penalty && timeFisher)
        {
            _fisher = TimeFisher(ctx);
        }
        var requests = replay.Requests;
        method.EndTask(ctx, 0);
        var replays = replay.Requests > requests;
        method.BeginTask(ctx, 1);
        return (ctx, method, penalty, replays);
    }

    private MethodStepTiming TimeMethod(string id, MetaGradientOrder? metaGradient, IBackend backend, BenchmarkReplayGenerator replay, IStepTimer timer, long? baseline)
    {
        var clock = Stopwatch.StartNew();
        var timeFisher = _fisher is null;
        var (ctx, method, penalty, replays) = SetUp(id, metaGradient, replay, timeFisher);
        var loss = double.NaN;
        var losses = new List<double>();
        var warmupSteps = WarmUp(step =>
        {
            using var scope = TensorScope.Begin();
            loss = method.Step(ctx, 1, step).Loss;
            losses.Add(loss);
        });
        backend.Synchronize();
        var setupSeconds = clock.Elapsed.TotalSeconds;

        backend.Pool.ResetPeak();
        var profiling = OpProfiler.Enabled;
        if (settings.Profile)
        {
            OpProfiler.Enabled = true;
            OpProfiler.Reset();
        }
        var times = new double[settings.TimedSteps];
        for (var i = 0; i < times.Length; i++)
        {
            var step = warmupSteps + i + 1;
            times[i] = timer.Milliseconds(() =>
            {
                using var scope = TensorScope.Begin();
                loss = method.Step(ctx, 1, step).Loss;
            });
            losses.Add(loss);
        }
        if (settings.Profile)
        {
            OpProfiler.Enabled = profiling;
            log.WriteLine($"{id}{(metaGradient is { } o ? $" ({o})" : "")}: time per op over {times.Length} timed steps (profiling adds its own overhead; median step {MedianOf(times):F2} ms)");
            log.Write(OpProfiler.Table(times.Length));
        }
        var used = DeviceUsedBytes(backend) - baseline;
        _lastEagerMedian = MedianOf(times);
        var w0 = settings.Workload;
        var replayMs = replays && replay.Timing is { } g ? g.SecondsPerSample * 1000 * w0.ReplaySamplesPerStep : 0;
        var fisherMs = penalty && _fisher is { } f ? f.SecondsPerSample * 1000 * w0.FisherSamplesPerStep : 0;
        var graph = settings.CudaGraph && backend.StepCapture is not null ? TimeCaptured(id, metaGradient, replay, timer, timeFisher, warmupSteps) : null;
        return new MethodStepTiming(id, times, warmupSteps, replayMs, fisherMs, backend.Pool.PeakLiveBytes, used, loss, setupSeconds, metaGradient, losses, graph);
    }

    /// <summary>
    /// The same method from the same state (a fresh context of the same seed, the same set-up), stepped through a
    /// <see cref="CapturedReplayAndPenaltyStep"/>: as many warm-up steps as the eager run (the first runs eagerly, the
    /// second captures the graph), then the timed steps, each one graph launch. Losses are drained from the pinned
    /// ring every <see cref="TrainingBenchmarkSettings.LossReadEvery"/> steps, outside the timed calls. A method whose
    /// step cannot be captured gets the reason instead.
    /// </summary>
    private CapturedStepTiming TimeCaptured(string id, MetaGradientOrder? metaGradient, BenchmarkReplayGenerator replay, IStepTimer timer, bool timeFisher, int warmupSteps)
    {
        var fisher = _fisher;
        var (ctx, method, _, _) = SetUp(id, metaGradient, replay, timeFisher);
        _fisher = fisher;
        using var captured = CapturedReplayAndPenaltyStep.TryCreate(method, ctx, 1, settings.LossReadEvery, out var reason);
        if (captured is null)
        {
            log.WriteLine($"{id,-14} eager only (not captured in a CUDA graph): {reason}");
            return new CapturedStepTiming(false, reason, [], []);
        }
        var losses = new List<double>();
        void Drain(bool force)
        {
            if (force || captured.PendingLosses >= settings.LossReadEvery)
            {
                losses.AddRange(captured.DrainLosses().Select(v => v.Loss));
            }
        }
        for (var i = 0; i < warmupSteps; i++)
        {
            captured.Step();
            Drain(false);
        }
        var times = new double[settings.TimedSteps];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = timer.Milliseconds(captured.Step);
            Drain(false);
        }
        Drain(true);
        var eager = _lastEagerMedian;
        var median = MedianOf(times);
        log.WriteLine($"{id,-14} CUDA graph: median {median,9:F2} ms/step  {1000 / median,8:F2} steps/s  ({eager / median:F2}x the eager step)");
        if (captured.CaptureRefusal is { } refusal)
        {
            log.WriteLine($"{id,-14} the capture was refused, the steps above ran eagerly: {refusal}");
        }
        return new CapturedStepTiming(captured.Captured, captured.CaptureRefusal, times, losses);
    }

    private static double MedianOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    /// <summary>Runs <paramref name="step"/> (given step numbers 1, 2, …) at least WarmupSteps times and for at least WarmupSeconds; returns how many times it ran.</summary>
    private int WarmUp(Action<int> step)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (count < settings.WarmupSteps || clock.Elapsed.TotalSeconds < settings.WarmupSeconds)
        {
            step(++count);
        }
        return count;
    }

    /// <summary>
    /// Untimed plain training steps before the first method, so that the first method timed does not pay for what a
    /// process does once: JIT tiering of the host code, kernel loading, library handles, first algorithm searches.
    /// </summary>
    private void WarmUpProcess(IBackend backend, IReplayGenerator replay)
    {
        var ctx = NewContext(replay);
        var method = MethodTable.Create("finetune");
        method.BeginTask(ctx, 0);
        WarmUp(step =>
        {
            using var scope = TensorScope.Begin();
            method.Step(ctx, 0, step);
        });
        Release(backend);
    }

    /// <summary>One Fisher estimate of task 0 (after a one-sample warm-up), timed between synchronisations.</summary>
    private FisherEstimationTiming TimeFisher(ContinualContext ctx)
    {
        var backend = ctx.Parameters.Data.Backend;
        FisherEstimate.Estimate(ctx, 0, 1);
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        var estimate = FisherEstimate.Estimate(ctx, 0, settings.FisherSamplesTimed);
        backend.Synchronize();
        return new FisherEstimationTiming(estimate.Samples, clock.Elapsed.TotalSeconds);
    }

    /// <summary>DDIM throughput when no method under test generated a replay pool: one pool from the seeded weights.</summary>
    private void MeasureSampling(IBackend backend, BenchmarkReplayGenerator replay)
    {
        var ctx = NewContext(replay);
        replay.Build(ctx, new FrozenWeights(ctx.Parameters), 0);
        Release(backend);
    }

    /// <summary>Device memory in use (all of the GPU's, cuMemGetInfo), or null on back ends that do not report it.</summary>
    private static long? DeviceUsedBytes(IBackend backend) => backend.Memory()?.UsedBytes;

    /// <summary>Frees what the finished method held (its model, optimizer and method state) so the next one starts clean.</summary>
    private static void Release(IBackend backend)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        backend.Synchronize();
        backend.Pool.Trim();
    }
}
