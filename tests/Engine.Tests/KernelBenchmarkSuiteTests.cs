using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Benchmarks;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The kernel benchmark on the CPU, over single cases of the op-case table with one call per pass and tiny references:
/// what it runs and the byte and flop floors it sets each pass against, recomputed here from the layer shapes (never
/// a time: nothing is timed in a test).
/// </summary>
public sealed class KernelBenchmarkSuiteTests
{
    private static KernelBenchmarkOptions Smoke(string filter) =>
        new() { Warmup = 0, Repeats = 1, GemmSize = 64, CopyBytes = 1 << 20, Filter = filter };

    [Fact]
    public void AFunctionCaseIsTimedForwardAndForwardBackwardAgainstItsFloors()
    {
        var report = new KernelBenchmarkSuite(Device.Cpu, Smoke("linear image-paper attention qkv")).Run();

        // x [128,64,256] · Wᵀ [768,256] + b [768] → y [128,64,768]
        const double inputs = 4.0 * (128 * 64 * 256 + 768 * 256 + 768);
        const double output = 4.0 * 128 * 64 * 768;
        const double flops = 2.0 * 128 * 64 * 256 * 768;
        Assert.Collection(report.Cases,
            forward =>
            {
                Assert.Equal(KernelBenchmarkPass.Forward, forward.Pass);
                Assert.Equal("Linear/Gemm", forward.Op);
                Assert.Equal(inputs + output, forward.Bytes);
                Assert.Equal(flops, forward.Flops);
                Assert.Equal(1, forward.Calls);
            },
            both =>
            {
                Assert.Equal(KernelBenchmarkPass.ForwardBackward, both.Pass);
                Assert.Equal(3 * inputs + 2 * output, both.Bytes);
                Assert.Equal(3 * flops, both.Flops);
            });
        Assert.True(report.Cases[0].Milliseconds > 0);
        Assert.Equal(0, Autograd.GradTape.Current.Count);
    }

    [Fact]
    public void TheReferencesAreACopyAndAGemmOnTheSameDevice()
    {
        var report = new KernelBenchmarkSuite(Device.Cpu, Smoke("timestep embedding")).Run();
        Assert.Equal(KernelBenchmarkPass.Reference, report.Copy.Pass);
        Assert.Equal(2.0 * (1 << 20), report.Copy.Bytes);
        Assert.Equal(0, report.Copy.Flops);
        Assert.Equal(2.0 * 64 * 64 * 64, report.Gemm.Flops);
        Assert.Equal(MatmulPrecision.Fp32, report.Precision);
        Assert.Equal("synchronize+stopwatch", report.Timer);
        Assert.Contains(report.KernelSources, s => s.StartsWith("GEMM: ", StringComparison.Ordinal));

        // the prepared timestep-embedding case: 128 and 256 timesteps in, 128×128 and 256×512 features out
        var call = Assert.Single(report.Cases);
        Assert.Equal(KernelBenchmarkPass.Call, call.Pass);
        Assert.Equal("Embedding/TimestepEmbedding", call.Op);
        Assert.Equal(4.0 * (128 + 256 + 128 * 128 + 256 * 512), call.Bytes);
        Assert.Equal(call.GigabytesPerSecond / report.Copy.GigabytesPerSecond, call.RatioToReference(report.Copy, report.Gemm), 12);
    }

    [Fact]
    public void TheFilterSelectsByNameAndMayMatchNothing()
    {
        var all = KernelBenchmarkSuite.Cases;
        Assert.Equal(all.Count, new KernelBenchmarkSuite(Device.Cpu, new KernelBenchmarkOptions()).Selected.Count);
        Assert.Empty(new KernelBenchmarkSuite(Device.Cpu, Smoke("no such case")).Selected);
        Assert.Equal(["groupnorm image-paper [128,256,16,16] g32", "groupnorm image-paper [128,128,32,32] g32"],
            new KernelBenchmarkSuite(Device.Cpu, Smoke("GROUPNORM IMAGE-PAPER")).Selected.Select(c => c.Name));
    }

    [Fact]
    public void OptionsThatCannotTimeAnythingAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new KernelBenchmarkSuite(Device.Cpu, new KernelBenchmarkOptions { Repeats = 0 }));
        Assert.Contains("repeats ≥ 1", e.Message);
        Assert.Throws<ArgumentException>(() => new KernelBenchmarkSuite(Device.Cpu, new KernelBenchmarkOptions { SecondsPerPass = 0 }));
    }
}
