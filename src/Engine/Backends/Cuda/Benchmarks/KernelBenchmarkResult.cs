namespace NativeTrustRegion.Engine.Backends.Cuda.Benchmarks;

/// <summary>One timed kernel: median milliseconds, and the bytes or flops it must move or do, turned into rates.</summary>
public sealed record KernelBenchmarkResult(string Name, string Shape, double Milliseconds, double Bytes, double Flops)
{
    public double GigabytesPerSecond => Bytes / (Milliseconds * 1e-3) / 1e9;

    public double TeraflopsPerSecond => Flops / (Milliseconds * 1e-3) / 1e12;
}
