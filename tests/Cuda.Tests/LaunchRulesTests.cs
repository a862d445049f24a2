using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>The H100/H200 launch rules that <see cref="LaunchRules"/> enforces before every cuLaunchKernel (no GPU needed).</summary>
public class LaunchRulesTests
{
    private const int OptIn = LaunchRules.Sm90OptInSharedBytes;

    private static LaunchGeometry Geometry(uint gx = 1, uint gy = 1, uint gz = 1, uint bx = 256, uint by = 1, uint bz = 1, int stat = 0, uint dyn = 0, int? raised = null) =>
        new(gx, gy, gz, bx, by, bz, stat, dyn, raised);

    [Fact]
    public void ValidGeometriesPassAtTheLimits()
    {
        Assert.Null(LaunchRules.Violation(Geometry(gx: int.MaxValue, gy: 65535, gz: 65535, bx: 1024), OptIn));
        Assert.Null(LaunchRules.Violation(Geometry(bx: 32, by: 32), OptIn));
        Assert.Null(LaunchRules.Violation(Geometry(bx: 16, by: 1, bz: 64), OptIn));
        Assert.Null(LaunchRules.Violation(Geometry(stat: 128, dyn: 48 * 1024 - 128), OptIn));
        Assert.Null(LaunchRules.Violation(Geometry(stat: 1024, dyn: 226 * 1024, raised: 226 * 1024), OptIn));
    }

    [Theory]
    [InlineData(0u, 1u, 1u, 256u, 1u, 1u, "at least 1")]
    [InlineData(1u, 1u, 1u, 0u, 1u, 1u, "at least 1")]
    [InlineData(1u, 1u, 1u, 1025u, 1u, 1u, "block dimensions")]
    [InlineData(1u, 1u, 1u, 64u, 1u, 65u, "block dimensions")]
    [InlineData(1u, 1u, 1u, 64u, 32u, 1u, "at most 1024 threads (has 2048)")]
    [InlineData(2147483648u, 1u, 1u, 256u, 1u, 1u, "grid x")]
    [InlineData(1u, 65536u, 1u, 256u, 1u, 1u, "grid y and z")]
    [InlineData(1u, 1u, 70000u, 256u, 1u, 1u, "grid y and z")]
    public void EachDimensionRuleIsEnforced(uint gx, uint gy, uint gz, uint bx, uint by, uint bz, string rule)
    {
        var violation = LaunchRules.Violation(Geometry(gx, gy, gz, bx, by, bz), OptIn);
        Assert.NotNull(violation);
        Assert.Contains(rule, violation);
    }

    [Fact]
    public void SharedMemoryIsStaticPlusDynamicAgainstTheLimitThatApplies()
    {
        // 48 KiB in all without a raised attribute: the static part counts
        Assert.Contains("at most 49152 B", LaunchRules.Violation(Geometry(stat: 128, dyn: 49152), OptIn));
        Assert.Contains("at most 49152 B", LaunchRules.Violation(Geometry(stat: 49153), OptIn));
        // raised: dynamic within the attribute, static + dynamic within the device's opt-in limit
        Assert.Contains("raised MAX_DYNAMIC_SHARED_SIZE_BYTES 65536", LaunchRules.Violation(Geometry(dyn: 65537, raised: 65536), OptIn));
        Assert.Contains("opt-in limit 232448", LaunchRules.Violation(Geometry(stat: 1024, dyn: 227 * 1024, raised: 227 * 1024), OptIn));
        Assert.Null(LaunchRules.Violation(Geometry(stat: 128, dyn: 49152, raised: 49152), OptIn));
    }

    [Fact]
    public void TheErrorNamesKernelGeometryRuleAndTheGpuResult()
    {
        var e = Assert.Throws<CudaException>(() => LaunchRules.Check("attention.attention_forward_f32_d8", Geometry(gy: 65536, bx: 128, stat: 2048), OptIn));
        Assert.Equal("CUDA_ERROR_INVALID_VALUE", e.ErrorName);
        Assert.Equal(1, e.Code);
        Assert.Contains("attention.attention_forward_f32_d8", e.Message);
        Assert.Contains("grid 1x65536x1, block 128x1x1, shared 2048 B static + 0 B dynamic", e.Message);
        Assert.Contains("grid y and z must be at most 65535", e.Message);
    }

    [Fact]
    public void RaisingTheDynamicLimitPastTheOptInLimitIsRefused()
    {
        Assert.Null(LaunchRules.DynamicLimitViolation(256, OptIn - 256, OptIn));
        Assert.Contains("at most the device's opt-in limit", LaunchRules.DynamicLimitViolation(256, OptIn - 255, OptIn));
        var e = Assert.Throws<CudaException>(() => LaunchRules.CheckDynamicLimit("groupnorm.groupnorm_forward_f64", 256, OptIn, OptIn));
        Assert.Equal("CUDA_ERROR_INVALID_VALUE", e.ErrorName);
        Assert.Contains("groupnorm.groupnorm_forward_f64", e.Message);
    }
}
