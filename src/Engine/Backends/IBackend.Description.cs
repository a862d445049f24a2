namespace NativeTrustRegion.Engine;

/// <summary>
/// What a back end says about itself and the knobs it takes, so callers above the engine never test for a concrete
/// back end: the device, its memory, how to time work on it, the precision of matrix products and the host threads
/// its kernels may use.
/// </summary>
public partial interface IBackend
{
    /// <summary>The device's name, architecture, driver and memory size.</summary>
    DeviceDescription Description { get; }

    /// <summary>Free and total device memory now, or null where the back end has no device memory of its own (the CPU).</summary>
    DeviceMemory? Memory();

    /// <summary>A timer for work on this device: CUDA events on a GPU, a stopwatch between synchronisations on the CPU.</summary>
    IStepTimer CreateStepTimer();

    /// <summary>
    /// The arithmetic of float32 GEMMs and convolutions from now on. The CPU accepts only
    /// <see cref="MatmulPrecision.Fp32"/>; setting Tf32 there throws an <see cref="ArgumentException"/> saying so.
    /// </summary>
    MatmulPrecision Precision { get; set; }

    /// <summary>
    /// How to capture a step of the work queued on this back end once and replay it as one graph (CUDA graphs), or
    /// null where it cannot: callers above the engine use this instead of testing for a concrete back end.
    /// </summary>
    IStepCapture? StepCapture { get; }

    /// <summary>Host threads a kernel started on the calling thread may use (1 on a GPU: its kernels run on the device).</summary>
    int ThreadBudget { get; }

    /// <summary>
    /// Limits the host threads of kernels started on the calling thread to <paramref name="threads"/> until the
    /// result is disposed (other threads keep their budget). Back ends whose work runs on a device ignore it.
    /// </summary>
    IDisposable LimitThreads(int threads);
}
