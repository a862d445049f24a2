namespace NativeTrustRegion.Engine;

/// <summary>Which checks an <see cref="OpCase"/> drives.</summary>
[Flags]
public enum OpChecks
{
    None = 0,

    /// <summary>The float64 central-difference gradient check on the CPU (small shapes only: it evaluates the op twice per input element).</summary>
    Gradient = 1,

    /// <summary>The float32 GPU-versus-CPU parity check (emulated CUDA device in CI, a real GPU with <c>ntr check</c>).</summary>
    Parity = 2,

    /// <summary>
    /// Timed by the kernel benchmark (<see cref="Benchmarks.KernelBenchmarkSuite"/>, <c>ntr bench kernels</c>) on the chosen
    /// device: forward and forward+backward of a <see cref="OpCase.Function"/>, or the call of a
    /// <see cref="OpCase.Prepare"/>. Give these cases the shapes of the models' real layers.
    /// </summary>
    Benchmark = 4,
}
