using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The launch geometry of the kernels that broke the GPU's launch rules (issue 11's defects 1, 4 and 5), at the paper
/// models' real layer shapes, checked with <see cref="LaunchRules"/>: the geometry the launch code computed before the
/// fix breaks a rule, the geometry it computes now does not. No GPU needed.
/// image-paper: GroupNorm 32 groups over 128/256/384/512 channels at 32×32, 16×16, 8×8 and 4×4 (the up path
/// concatenates skips: 384 = 256 + 128 at 32×32); attention 256 channels in 32 heads of 8 at 8×8 (down and up) and
/// 4×4 (mid); class table 500 × 512. policy-paper: GroupNorm 8 groups over 256…2048 channels at T = 8, 4, 2;
/// attention 8 heads at T = 4 (512 channels, head dim 64) and T = 2 (1024 channels, head dim 128).
/// </summary>
public class PaperShapeLaunchTests
{
    private const int OptIn = LaunchRules.Sm90OptInSharedBytes;

    /// <summary>GroupNorm forward's geometry as GroupNorm.Cuda.cs computed it before the fix: cache when the group alone fits 48 KiB.</summary>
    private static LaunchGeometry GroupNormForwardBeforeFix(int batch, int channels, int groups, long spatial, DType dtype)
    {
        var groupLength = channels / groups * spatial;
        var cacheBytes = groupLength * dtype.SizeOf();
        var shared = cacheBytes <= 48 * 1024 ? (uint)cacheBytes : 0;
        return new LaunchGeometry((uint)(batch * groups), 1, 1, CudaBackend.RowThreads(groupLength), 1, 1, KernelSharedMemory.GroupNormForward(dtype), shared);
    }

    [Fact]
    public void ImagePaperLargestGroupNormGroupBrokeTheSharedMemoryRuleAndNowFits()
    {
        // 384 channels at 32×32 in 32 groups: 12 channels × 1024 = 12,288 floats = 49,152 B cached + 128 B of scratch
        var before = GroupNormForwardBeforeFix(256, 384, 32, 32 * 32, DType.F32);
        Assert.Equal(49152u, before.DynamicSharedBytes);
        Assert.Equal(128, before.StaticSharedBytes);
        Assert.Contains("static + dynamic shared memory must be at most 49152 B", LaunchRules.Violation(before, OptIn));

        var plan = GroupNormLaunchPlan.Forward(256, 384, 32, 32 * 32, DType.F32, KernelSharedMemory.GroupNormForward(DType.F32), OptIn);
        Assert.True(plan.Launch);
        Assert.True(plan.Cache);
        Assert.Equal(49152u, plan.DynamicSharedBytes);
        Assert.True(plan.RaiseDynamicLimit);
        Assert.Equal(256u * 32, plan.Blocks);
        Assert.Null(LaunchRules.Violation(plan.Geometry, OptIn));
        Assert.Null(LaunchRules.DynamicLimitViolation(plan.StaticSharedBytes, (int)plan.DynamicSharedBytes, OptIn));
    }

    [Theory]
    [InlineData(32)]  // image-paper at batch 256
    [InlineData(8)]   // policy-paper at batch 256 (channels 256…2048 at T = 8, 4, 2, 1)
    public void EveryPaperGroupNormShapeFitsForwardAndBackward(int groups)
    {
        var shapes = groups == 32
            ? from c in new[] { 128, 256, 384, 512 } from s in new[] { 32 * 32, 16 * 16, 8 * 8, 4 * 4 } select (c, (long)s)
            : from c in new[] { 256, 512, 1024, 2048 } from s in new[] { 8, 4, 2, 1 } select (c, (long)s);
        foreach (var (channels, spatial) in shapes)
        {
            foreach (var dtype in new[] { DType.F32, DType.F64 })
            {
                var forward = GroupNormLaunchPlan.Forward(256, channels, groups, spatial, dtype, KernelSharedMemory.GroupNormForward(dtype), OptIn);
                var groupBytes = channels / groups * spatial * dtype.SizeOf();
                Assert.True(forward.Cache, $"{channels}@{spatial} {dtype}: a {groupBytes} B group fits the opt-in limit and should be cached");
                Assert.Equal(forward.StaticSharedBytes + forward.DynamicSharedBytes > 48 * 1024, forward.RaiseDynamicLimit);
                Assert.Null(LaunchRules.Violation(forward.Geometry, OptIn));
                var backward = GroupNormLaunchPlan.Backward(256, channels, groups, spatial, dtype, KernelSharedMemory.GroupNormBackward, OptIn);
                Assert.Equal((uint)(2 * (channels / groups) * dtype.SizeOf()), backward.DynamicSharedBytes);
                Assert.Null(LaunchRules.Violation(backward.Geometry, OptIn));
            }
        }
    }

    [Fact]
    public void GroupsTooLargeForSharedMemoryAreNormalisedWithoutTheCache()
    {
        // 512 channels at 64×64 in 8 groups: 64 × 4096 floats = 1 MiB, far over the opt-in limit
        var plan = GroupNormLaunchPlan.Forward(4, 512, 8, 64 * 64, DType.F32, KernelSharedMemory.GroupNormForward(DType.F32), OptIn);
        Assert.False(plan.Cache);
        Assert.Equal(0u, plan.DynamicSharedBytes);
        Assert.False(plan.RaiseDynamicLimit);
        Assert.Null(LaunchRules.Violation(plan.Geometry, OptIn));
        // a group that fits only beside the static scratch boundary: 227 KiB − 256 B of doubles is cached, 8 B more is not
        var fits = (OptIn - 256) / 8;
        Assert.True(GroupNormLaunchPlan.Forward(1, 1, 1, fits, DType.F64, 256, OptIn).Cache);
        Assert.False(GroupNormLaunchPlan.Forward(1, 1, 1, fits + 1, DType.F64, 256, OptIn).Cache);
    }

    [Theory]
    [InlineData(2, 4, 2, 0L)]   // spatial size 0
    [InlineData(0, 4, 2, 16L)]  // empty batch
    [InlineData(2, 0, 1, 16L)]  // no channels
    public void ZeroSizeGroupNormLaunchesNothing(int batch, int channels, int groups, long spatial)
    {
        // before the fix the backward launched nothing for spatial 0 but then summed the never-written partial buffers
        var backward = GroupNormLaunchPlan.Backward(batch, channels, groups, spatial, DType.F32, KernelSharedMemory.GroupNormBackward, OptIn);
        Assert.False(backward.Launch);
        var forward = GroupNormLaunchPlan.Forward(batch, channels, groups, spatial, DType.F32, KernelSharedMemory.GroupNormForward(DType.F32), OptIn);
        Assert.False(forward.Launch);
    }

    [Fact]
    public void BackwardRefusesGroupsWhoseChannelSumsCannotFitWithAClearMessage()
    {
        var e = Assert.Throws<TensorOpException>(() => GroupNormLaunchPlan.Backward(1, 20000, 1, 4, DType.F64, 0, OptIn));
        Assert.Contains("use more groups", e.Message);
        Assert.Contains("20000 channels per group", e.Message);
    }

    [Theory]
    // image-paper: 32 heads of 8 at 8×8 (64 tokens) and 4×4 (16 tokens)
    [InlineData(256, 32, 64, 8, true)]
    [InlineData(256, 32, 16, 8, true)]
    [InlineData(2048, 32, 64, 8, false)]  // batch·heads 65,536: one past grid y's limit
    [InlineData(2048, 32, 16, 8, false)]
    // policy-paper: 8 heads at T = 4 (head dim 64) and T = 2 (head dim 128)
    [InlineData(256, 8, 4, 64, true)]
    [InlineData(256, 8, 2, 128, true)]
    [InlineData(8192, 8, 4, 64, false)]
    public void AttentionKeepsBatchHeadsOutOfGridY(int batch, int heads, int tokens, int headDim, bool oldGeometryWasValid)
    {
        var (dim, rows) = CudaBackend.AttentionVariant(headDim);
        var bh = batch * heads;
        foreach (var (kernel, staticBytes) in new[]
                 {
                     ($"attention_forward_f32_d{dim}", KernelSharedMemory.AttentionForward(dim, 4)),
                     ($"attention_backward_kv_f64_d{dim}", KernelSharedMemory.AttentionBackwardKV(dim, 8)),
                     ($"attention_backward_q_f64_d{dim}", KernelSharedMemory.AttentionForward(dim, 8)),
                 })
        {
            Assert.Equal(staticBytes, KernelSharedMemory.StaticBytes("attention", kernel));
            var before = new LaunchGeometry((uint)((tokens + rows - 1) / rows), (uint)bh, 1, 128, 1, 1, staticBytes, 0);
            Assert.Equal(oldGeometryWasValid, LaunchRules.Violation(before, OptIn) is null);
            var grid = CudaBackend.AttentionGrid(bh, tokens, rows);
            Assert.Equal(((uint)bh, (uint)((tokens + rows - 1) / rows)), grid);
            Assert.Null(LaunchRules.Violation(new LaunchGeometry(grid.X, grid.Y, 1, 128, 1, 1, staticBytes, 0), OptIn));
        }
    }

    [Theory]
    [InlineData(500, 512, true)]      // image-paper's class table
    [InlineData(65535, 512, true)]
    [InlineData(70000, 512, false)]   // a table past grid y's limit
    [InlineData(1_000_000, 39, false)]
    public void EmbeddingBackwardKeepsTableRowsOutOfGridY(int rows, int dim, bool oldGeometryWasValid)
    {
        var before = new LaunchGeometry((uint)((dim + 127) / 128), (uint)rows, 1, 128, 1, 1, 0, 0);
        Assert.Equal(oldGeometryWasValid, LaunchRules.Violation(before, OptIn) is null);
        var grid = CudaBackend.EmbeddingBackwardGrid(rows, dim);
        Assert.Equal(((uint)rows, (uint)((dim + 127) / 128)), grid);
        Assert.Null(LaunchRules.Violation(new LaunchGeometry(grid.X, grid.Y, 1, CudaBackend.EmbeddingBackwardThreads, 1, 1, 0, 0), OptIn));
    }

    [Fact]
    public void GridsBeyondTheLimitsAreRefusedWithAClearMessage()
    {
        var e = Assert.Throws<TensorOpException>(() => CudaBackend.AttentionGrid(3_000_000_000L, 64, 128));
        Assert.Contains("split the batch", e.Message);
        Assert.Throws<TensorOpException>(() => CudaBackend.AttentionGrid(8, 65536 * 16 + 1, 16));
        Assert.Equal((8u, 65536u / 2), CudaBackend.AttentionGrid(8, 65536 * 8, 16));
        Assert.Contains("narrower", Assert.Throws<TensorOpException>(() => CudaBackend.EmbeddingBackwardGrid(10, 65536 * 128)).Message);
    }
}
