namespace NativeTrustRegion.Engine.Benchmarks;

/// <summary>
/// One timed pass of one benchmark case (or of a reference): the median milliseconds of its timed calls, and the fewest
/// bytes it must move and the flops it must do, turned into rates.
/// </summary>
/// <param name="Name">What was timed, for tables: the case's name and the pass ("groupnorm … forward"), or the reference's name.</param>
/// <param name="Op">The case's "Folder/Kernel" (<see cref="OpCase.Kernel"/>), or "reference".</param>
/// <param name="Shape">The input shapes, space separated.</param>
/// <param name="Calls">How many calls were timed (the median is over them).</param>
public sealed record KernelBenchmarkResult(string Name, string Op, KernelBenchmarkPass Pass, string Shape, double Milliseconds, double Bytes, double Flops, int Calls)
{
    public double GigabytesPerSecond => Bytes / (Milliseconds * 1e-3) / 1e9;

    public double TeraflopsPerSecond => Flops / (Milliseconds * 1e-3) / 1e12;

    /// <summary>
    /// The rate as a fraction of the same run's reference on the same device: TFLOP/s over the reference GEMM's for
    /// work with flops, GB/s over the reference copy's otherwise.
    /// </summary>
    public double RatioToReference(KernelBenchmarkResult copy, KernelBenchmarkResult gemm) =>
        Flops > 0 ? TeraflopsPerSecond / gemm.TeraflopsPerSecond : GigabytesPerSecond / copy.GigabytesPerSecond;
}
