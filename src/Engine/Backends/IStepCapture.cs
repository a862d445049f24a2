using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Engine;

/// <summary>
/// What a back end offers to run a training step captured once and replayed as one graph (CUDA graphs), named
/// without the back end: callers above the engine get it from <see cref="IBackend.StepCapture"/> (null where the back
/// end cannot capture) and never cast to a concrete back end. The pieces: per-step inputs staged from host memory into
/// fixed device tensors (<see cref="IStagedStepInputs"/>), per-step values read back without a wait inside a step
/// (<see cref="IStepValueRing"/>), the capture itself (<see cref="TryCapture"/>) and the optimizer and penalty
/// updates whose step-dependent scalars are read from device memory, since a graph freezes kernel arguments.
/// </summary>
public interface IStepCapture
{
    /// <summary>Fixed device tensors for <paramref name="inputs"/> (name, shape, element type), filled before each launch.</summary>
    IStagedStepInputs CreateStepInputs(IEnumerable<(string Name, int[] Shape, DType DType)> inputs);

    /// <summary>A ring of <paramref name="capacity"/> slots of <paramref name="width"/> F64 values per step.</summary>
    IStepValueRing CreateValueRing(int capacity, int width);

    /// <summary>
    /// Captures the device work <paramref name="body"/> queues. Returns null with <paramref name="refusal"/> saying
    /// what in the body cannot be captured (a host read, a synchronisation, an allocation, an unregistered random
    /// draw) and how to fix it; the capture is then abandoned and nothing of the body ran.
    /// </summary>
    /// <param name="randomShifts">Per generator seed, a one-element device tensor whose 8 bytes hold the u64 added to the
    /// counter offset of that generator's draws at every replay (written by the caller before each launch).</param>
    ICapturedStep? TryCapture(Action body, IReadOnlyDictionary<ulong, Tensor>? randomShifts, out string? refusal);

    /// <summary>Elements of the staged Adam scalars tensor (lr, c1, √c2, in the parameters' dtype).</summary>
    int StagedAdamScalarCount { get; }

    /// <summary>Writes <paramref name="step"/>'s lr, c1 and √c2, rounded to <paramref name="dtype"/>, as raw bytes.</summary>
    void WriteStagedAdamScalars(AdamStep step, DType dtype, Span<byte> destination);

    /// <summary>Adam with β1, β2, ε and weight decay from <paramref name="constants"/> and lr, c1, √c2 from <paramref name="scalars"/>.</summary>
    void AdamUpdateStaged(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep constants, Tensor scalars);

    /// <summary>The rank-1 Fisher penalty's gradient fused into <see cref="AdamUpdateStaged"/>; the penalty value goes to <paramref name="penaltyValue"/> on the device.</summary>
    void Rank1FisherAdamStaged(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda,
        AdamStep constants, Tensor scalars, Tensor? penaltyValue = null);

    /// <summary>Adds the rank-1 penalty's gradient to <paramref name="grad"/> on the device (its value to <paramref name="penaltyValue"/>).</summary>
    void Rank1PenaltyGradientOnDevice(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda, Tensor? penaltyValue = null);

    /// <summary>Scales <paramref name="gradient"/> to norm ≤ <paramref name="maxNorm"/> on the device (the norm before clipping to <paramref name="norm"/>).</summary>
    void ClipGradientNormOnDevice(Tensor gradient, double maxNorm, Tensor? norm = null);
}

/// <summary>A captured step: <see cref="Launch"/> replays it with one call.</summary>
public interface ICapturedStep : IDisposable
{
    void Launch();
}

/// <summary>
/// The per-step inputs of a captured step: <see cref="Begin"/>, write each input's values through
/// <see cref="Host{T}"/>, <see cref="Submit"/> queues their copies into the fixed device tensors (<c>this[name]</c>).
/// </summary>
public interface IStagedStepInputs : IDisposable
{
    /// <summary>The fixed device tensor of input <paramref name="name"/> (what the captured step reads).</summary>
    Tensor this[string name] { get; }

    void Begin();

    /// <summary>The host memory of input <paramref name="name"/> for the step being staged.</summary>
    Span<T> Host<T>(string name) where T : unmanaged;

    void Submit();
}

/// <summary>Per-step F64 values copied back asynchronously; <see cref="Drain"/> waits once and returns those not read yet, in step order.</summary>
public interface IStepValueRing : IDisposable
{
    /// <summary>Steps queued whose values have not been read yet.</summary>
    int Pending { get; }

    /// <summary>Queues a copy of <paramref name="values"/> (a device tensor of the ring's width in F64) into the next slot.</summary>
    void Queue(Tensor values);

    double[] Drain();
}
