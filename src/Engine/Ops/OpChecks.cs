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
}
