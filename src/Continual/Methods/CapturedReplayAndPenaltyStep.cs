using NativeTrustRegion.Continual.Fisher;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// The training step of the <see cref="ReplayAndPenaltyMethod"/> family (finetune, ewc, replay, trust-region) on one
/// task, captured once as a graph (CUDA graphs, through the back end's <see cref="IStepCapture"/>) — forward, backward, the distillation term, the rank-1 Fisher penalty fused into
/// Adam — and replayed every step with one launch. It computes what <see cref="ReplayAndPenaltyMethod.Step"/> computes,
/// draw for draw (gradient clipping included, with the norm kept on the device): the first call runs the step's device work eagerly (warming the pool and choosing the cuDNN
/// algorithms), the second captures it, every call from then on only launches it.
/// <para>Everything that changes between steps reaches the graph through device memory, staged by the host before each
/// launch (<see cref="IStagedStepInputs"/>; on CUDA double-buffered page-locked memory): the current-task batch (x₀ and
/// conditions, gathered on the host from the task's rows), the replay pool rows, the noising coefficients √ᾱ_t and
/// √(1−ᾱ_t) and the timesteps of both noise draws (drawn on the host from the noise generator at the counters the
/// eager step uses), the counter-offset shifts of the noise and dropout generators (the graph's Philox fills and
/// dropout masks add them to their captured offsets), and Adam's learning rate and bias corrections. No host
/// synchronisation happens inside a step: the loss is cast into a fixed device scalar and copied into a
/// <see cref="IStepValueRing"/> that the caller drains every N steps.</para>
/// </summary>
public sealed class CapturedReplayAndPenaltyStep : IDisposable
{
    private const string X0 = "x0", Condition = "condition", ReplayRows = "replay_rows";
    private const string Signal = "signal", NoiseScale = "noise_scale", Timesteps = "timesteps";
    private const string DistillSignal = "distill_signal", DistillNoiseScale = "distill_noise_scale", DistillTimesteps = "distill_timesteps";
    private const string AdamScalars = "adam", NoiseShift = "noise_shift", DropoutShift = "dropout_shift";

    private readonly ReplayAndPenaltyMethod _method;
    private readonly ContinualContext _ctx;
    private readonly IStepCapture _gpu;
    private readonly InMemoryTaskData _data;
    private readonly IStagedStepInputs _inputs;
    private readonly IStepValueRing _losses;
    private readonly Tensor _values;
    private readonly Tensor _lossValue;
    private readonly Tensor _penaltyValue;
    private readonly Tensor _gradNormValue;
    private readonly Tensor? _directions;
    private readonly double[] _rho = [];
    private readonly double[] _anchors = [];
    private readonly int _batch;
    private readonly int _replayCount;
    private readonly bool _distill;
    private readonly long _sampleNumel;
    private ICapturedStep? _graph;
    private (ulong Noise, ulong Dropout) _capturedOffsets;
    private (ulong Noise, ulong Dropout) _perStep;
    private int _steps;

    private CapturedReplayAndPenaltyStep(ReplayAndPenaltyMethod method, ContinualContext ctx, IStepCapture gpu, InMemoryTaskData data, int lossRingCapacity)
    {
        _method = method;
        _ctx = ctx;
        _gpu = gpu;
        _data = data;
        var h = ctx.Hyper;
        _batch = h.BatchSize;
        _replayCount = method.UsesReplay && method.Memory.Pool is not null ? (int)Math.Round(h.ReplayRatio * h.BatchSize) : 0;
        _distill = _replayCount > 0 && h.DistillationWeight > 0;
        var sampleShape = ctx.Model.SampleShape.ToArray();
        _sampleNumel = Shape.Numel(sampleShape);
        var dtype = ctx.Parameters.Data.DType;
        var total = _batch + _replayCount;
        int[] Rows(int n) => new[] { n }.Concat(sampleShape).ToArray();
        int[] Coefficients(int n)
        {
            var shape = new int[1 + sampleShape.Length];
            Array.Fill(shape, 1);
            shape[0] = n;
            return shape;
        }
        var inputs = new List<(string, int[], DType)>
        {
            (X0, Rows(_batch), dtype),
            (Signal, Coefficients(total), dtype),
            (NoiseScale, Coefficients(total), dtype),
            (Timesteps, [total], dtype),
            (AdamScalars, [gpu.StagedAdamScalarCount], dtype),
            (NoiseShift, [1], DType.F64),
            (DropoutShift, [1], DType.F64),
        };
        if (data.HasConditions)
        {
            inputs.Add((Condition, new[] { _batch }.Concat(data.ConditionShape).ToArray(), dtype));
        }
        if (_replayCount > 0)
        {
            inputs.Add((ReplayRows, [_replayCount], dtype));
        }
        if (_distill)
        {
            inputs.Add((DistillSignal, Coefficients(_replayCount), dtype));
            inputs.Add((DistillNoiseScale, Coefficients(_replayCount), dtype));
            inputs.Add((DistillTimesteps, [_replayCount], dtype));
        }
        _inputs = gpu.CreateStepInputs(inputs);
        // per step: the loss, the penalty value and the gradient norm before clipping (the eager step's ewc_penalty and grad_norm)
        _losses = gpu.CreateValueRing(lossRingCapacity, 3);
        _values = Tensor.ZerosUnscoped([3], DType.F64, ctx.Parameters.Data.Device);
        (_lossValue, _penaltyValue, _gradNormValue) = (_values.Slice(0, 0, 1), _values.Slice(0, 1, 1), _values.Slice(0, 2, 1));
        if (method.Penalty is { Tasks.Count: > 0 } penalty)
        {
            var k = penalty.Tasks.Count;
            var p = (int)ctx.Parameters.Data.Numel;
            _directions = Tensor.ZerosUnscoped([k, p], dtype, ctx.Parameters.Data.Device);
            for (var i = 0; i < k; i++)
            {
                _directions.Slice(0, i, 1).Reshape(p).CopyFrom(penalty.Tasks[i].Mean);
            }
            _rho = penalty.Tasks.Select(t => t.Scale).ToArray();
            _anchors = penalty.Tasks.Select(t => t.AnchorProjection).ToArray();
        }
    }

    /// <summary>Why <paramref name="method"/>'s step on this context cannot be captured, or null when it can.</summary>
    public static string? WhyNotCapturable(IContinualMethod method, ContinualContext ctx, int task)
    {
        if (method is not ReplayAndPenaltyMethod family)
        {
            return $"{method.Id}'s step reads values on the host mid-step (inner-loop losses, gradient dot products or projections) or changes shapes between steps; captured are finetune, ewc, replay and trust-region";
        }
        if (ctx.Parameters.Data.Backend.StepCapture is null)
        {
            return $"the parameters' back end ({ctx.Parameters.Data.Device}) cannot capture a step as a graph (a CUDA device can)";
        }
        if (family.PenaltyForm == FisherForm.Diagonal)
        {
            return "the diagonal EWC penalty computes its value with host reads (VectorOps.Dot); ewc (rank-1) and trust-region are captured";
        }
        if (ctx.Collective.Size > 1)
        {
            return "data-parallel training averages gradients across processes inside the step";
        }
        if (ctx.Parameters.Data.DType != DType.F32)
        {
            return $"the parameters are {ctx.Parameters.Data.DType}; the captured step stages F32 inputs";
        }
        if (ctx.Stream[task] is not InMemoryTaskData)
        {
            return $"task {task + 1}'s data ({ctx.Stream[task].GetType().Name}) is not an in-memory task whose batches can be staged from host memory";
        }
        return null;
    }

    /// <summary>A captured step for <paramref name="task"/>, or null (with the reason) when the step cannot be captured.</summary>
    /// <param name="lossRingCapacity">The most steps between two <see cref="DrainLosses"/> calls.</param>
    public static CapturedReplayAndPenaltyStep? TryCreate(IContinualMethod method, ContinualContext ctx, int task, int lossRingCapacity, out string? reason)
    {
        reason = WhyNotCapturable(method, ctx, task);
        if (reason is not null)
        {
            return null;
        }
        return new CapturedReplayAndPenaltyStep((ReplayAndPenaltyMethod)method, ctx, ctx.Parameters.Data.Backend.StepCapture!, (InMemoryTaskData)ctx.Stream[task], lossRingCapacity);
    }

    /// <summary>Whether the graph has been captured (from the second step on).</summary>
    public bool Captured => _graph is not null;

    /// <summary>
    /// Why the capture at the second step was refused (what the back end named, and the fix), or null:
    /// the steps then keep running the same work eagerly, with the same staged inputs and loss ring.
    /// </summary>
    public string? CaptureRefusal { get; private set; }

    /// <summary>Steps whose loss has not been drained yet.</summary>
    public int PendingLosses => _losses.Pending;

    /// <summary>
    /// Stages the next step's inputs and queues the step (eagerly on the first call, captured on the second, a graph
    /// launch afterwards). Never waits for the device, except when the loss ring is full or a staging half is still
    /// in use two steps later.
    /// </summary>
    public void Step()
    {
        var noise = _ctx.Noise;
        var dropout = _ctx.Model.DropoutGenerator;
        var start = (Noise: noise.Offset, Dropout: dropout.Offset);
        var capture = _steps == 1 && CaptureRefusal is null;
        if (capture)
        {
            _capturedOffsets = start;
        }
        var adamStep = _ctx.Optimizer.NextStep();
        var expectedNoiseEnd = Stage(start, adamStep);
        if (_steps == 0 || CaptureRefusal is not null)
        {
            using (TensorScope.Begin())
            {
                Body(adamStep);
            }
            _perStep = (noise.Offset - start.Noise, dropout.Offset - start.Dropout);
            if (noise.Offset != expectedNoiseEnd)
            {
                throw new InvalidOperationException($"the captured step's noise draws ({noise.Offset - start.Noise} counters) differ from the staged timesteps' ({expectedNoiseEnd - start.Noise})");
            }
        }
        else
        {
            if (capture)
            {
                string? refusal;
                using (TensorScope.Begin())
                {
                    var shifts = new Dictionary<ulong, Tensor> { [noise.Seed] = _inputs[NoiseShift] };
                    shifts.TryAdd(dropout.Seed, _inputs[DropoutShift]);
                    _graph = _gpu.TryCapture(() => Body(adamStep), shifts, out refusal);
                }
                if (_graph is null)
                {
                    // something in the step is not capturable: this and every later step run the same work eagerly
                    CaptureRefusal = refusal;
                    noise.Restore(start.Noise);
                    dropout.Restore(start.Dropout);
                    using (TensorScope.Begin())
                    {
                        Body(adamStep);
                    }
                }
            }
            if (_graph is not null)
            {
                _graph.Launch();
                noise.Restore(start.Noise + _perStep.Noise);
                dropout.Restore(start.Dropout + _perStep.Dropout);
            }
        }
        _losses.Queue(_values);
        _ctx.Optimizer.StepCount++;
        _steps++;
    }

    /// <summary>Waits for the last queued step's values and returns those not read yet, in step order.</summary>
    public CapturedStepValues[] DrainLosses()
    {
        var flat = _losses.Drain();
        var result = new CapturedStepValues[flat.Length / 3];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new CapturedStepValues(flat[3 * i], _directions is null ? null : flat[3 * i + 1], _ctx.Hyper.GradientClip > 0 ? flat[3 * i + 2] : null);
        }
        return result;
    }

    /// <summary>Writes the step's host-side values into the free staging half and queues their copies; returns the noise generator's offset after the step.</summary>
    private ulong Stage((ulong Noise, ulong Dropout) start, AdamStep adamStep)
    {
        _inputs.Begin();
        var rows = _data.NextRows(_batch);
        _data.GatherInto(rows, _inputs.Host<float>(X0), _data.HasConditions ? _inputs.Host<float>(Condition) : Span<float>.Empty);
        if (_replayCount > 0)
        {
            var replayRows = _method.Memory.Pool!.NextRows(_replayCount, _ctx.Seed);
            var target = _inputs.Host<float>(ReplayRows);
            for (var i = 0; i < replayRows.Length; i++)
            {
                target[i] = (float)replayRows[i];
            }
        }
        // the eager step draws ε (numel counters), then one timestep per sample, then the distillation's ε′ and t′
        var draws = new Engine.Randomness.Generator(_ctx.Noise.Seed, start.Noise);
        var total = _batch + _replayCount;
        draws.Advance(total * _sampleNumel);
        WriteDraw(_ctx.Schedule.SampleTimesteps(total, draws), Signal, NoiseScale, Timesteps);
        if (_distill)
        {
            draws.Advance(_replayCount * _sampleNumel);
            WriteDraw(_ctx.Schedule.SampleTimesteps(_replayCount, draws), DistillSignal, DistillNoiseScale, DistillTimesteps);
        }
        _gpu.WriteStagedAdamScalars(adamStep, _ctx.Parameters.Data.DType, _inputs.Host<byte>(AdamScalars));
        // replay i adds (offset now − offset at capture) to every counter the graph captured
        _inputs.Host<ulong>(NoiseShift)[0] = start.Noise - _capturedOffsets.Noise;
        _inputs.Host<ulong>(DropoutShift)[0] = start.Dropout - _capturedOffsets.Dropout;
        _inputs.Submit();
        return draws.Offset;
    }

    /// <summary>√ᾱ_t, √(1−ᾱ_t) and t per sample, in the float arithmetic of <see cref="NoiseSchedule.AddNoise"/>.</summary>
    private void WriteDraw(int[] timesteps, string signal, string noiseScale, string steps)
    {
        Span<float> a = _inputs.Host<float>(signal), s = _inputs.Host<float>(noiseScale), t = _inputs.Host<float>(steps);
        for (var i = 0; i < timesteps.Length; i++)
        {
            var alphaBar = _ctx.Schedule.AlphaBar(timesteps[i]);
            a[i] = MathF.Sqrt(alphaBar);
            s[i] = MathF.Sqrt(1f - alphaBar);
            t[i] = timesteps[i];
        }
    }

    /// <summary>The device work of one step, reading every per-step value from the staged inputs.</summary>
    private void Body(AdamStep adamStep)
    {
        var ctx = _ctx;
        var h = ctx.Hyper;
        var real = new TrainingBatch(_inputs[X0], _data.HasConditions ? _inputs[Condition] : null);
        var batch = real;
        TrainingBatch? replay = null;
        if (_replayCount > 0)
        {
            replay = _method.Memory.Pool!.Gather(_inputs[ReplayRows]);
            batch = TrainingBatch.Concat(real, replay);
        }
        ctx.Model.Training = true;
        var noise = Tensor.Randn(batch.X0.Shape, ctx.Noise, batch.X0.DType, batch.X0.Device);
        ctx.Noise.Advance(batch.Size);  // the timesteps' counters: drawn on the host and staged
        var xt = _inputs[Signal] * batch.X0 + _inputs[NoiseScale] * noise;
        var loss = Ops.MseLoss(ctx.Model.PredictNoise(xt, _inputs[Timesteps], batch.Condition), noise);
        if (_distill)
        {
            var noise2 = Tensor.Randn(replay!.X0.Shape, ctx.Noise, replay.X0.DType, replay.X0.Device);
            ctx.Noise.Advance(replay.Size);
            var xt2 = _inputs[DistillSignal] * replay.X0 + _inputs[DistillNoiseScale] * noise2;
            var t2 = _inputs[DistillTimesteps];
            var target = _method.Memory.Teacher!.PredictNoise(ctx.Model, xt2, t2, replay.Condition);
            ctx.Model.Training = true;
            var student = ctx.Model.PredictNoise(xt2, t2, replay.Condition);
            loss = loss + Ops.MseLoss(student, target) * h.DistillationWeight;
        }
        ctx.Parameters.ZeroGrad();
        GradTape.Current.Backward(loss);
        ctx.Parameters.Data.Backend.Cast(loss, _lossValue);
        var optimizer = ctx.Optimizer;
        if (h.GradientClip > 0)
        {
            // the eager order: penalty gradient, then clipping (of the penalised gradient), then Adam
            if (_directions is not null)
            {
                _gpu.Rank1PenaltyGradientOnDevice(ctx.Parameters.Data, ctx.Parameters.Grad, _directions, _rho, _anchors, _method.Penalty!.Lambda, _penaltyValue);
            }
            _gpu.ClipGradientNormOnDevice(ctx.Parameters.Grad, h.GradientClip, _gradNormValue);
            _gpu.AdamUpdateStaged(ctx.Parameters.Data, ctx.Parameters.Grad, optimizer.M, optimizer.V, adamStep, _inputs[AdamScalars]);
        }
        else if (_directions is not null)
        {
            _gpu.Rank1FisherAdamStaged(ctx.Parameters.Data, ctx.Parameters.Grad, optimizer.M, optimizer.V, _directions, _rho, _anchors,
                _method.Penalty!.Lambda, adamStep, _inputs[AdamScalars], _penaltyValue);
        }
        else
        {
            _gpu.AdamUpdateStaged(ctx.Parameters.Data, ctx.Parameters.Grad, optimizer.M, optimizer.V, adamStep, _inputs[AdamScalars]);
        }
    }

    public void Dispose()
    {
        _graph?.Dispose();
        _inputs.Dispose();
        _losses.Dispose();
    }
}

/// <summary>
/// What one captured step reports, read back from the pinned ring: the loss, and like the eager step's extras the
/// rank-1 penalty value λ/2 Σ ρ(u·θ − b)² (equal to the eager value to rounding: summed in one expression) when the
/// method has a penalty, and the gradient norm before clipping when clipping is on.
/// </summary>
public sealed record CapturedStepValues(double Loss, double? Penalty, double? GradientNorm);
