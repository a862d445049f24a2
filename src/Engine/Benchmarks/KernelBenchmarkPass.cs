namespace NativeTrustRegion.Engine.Benchmarks;

/// <summary>What one <see cref="KernelBenchmarkResult"/> timed.</summary>
public enum KernelBenchmarkPass
{
    /// <summary>A reference of the same run: a device-to-device copy (bandwidth) or a large GEMM (flop rate).</summary>
    Reference,

    /// <summary>The case's function with gradients off.</summary>
    Forward,

    /// <summary>The case's function recorded on the tape, then its backward pass from a fixed output gradient.</summary>
    ForwardBackward,

    /// <summary>The call of a prepared case (optimizer and Fisher kernels).</summary>
    Call,
}
