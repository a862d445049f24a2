namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// How one GroupNorm kernel (kernels/groupnorm.cu, any variant) is launched: one block per (sample, group) of
/// <see cref="Threads"/> threads. <see cref="Launch"/> is false when there is nothing to compute (a zero-size
/// dimension); then every gradient is exactly zero. <see cref="Cache"/>: the forward keeps the group in dynamic
/// shared memory between its passes. <see cref="RaiseDynamicLimit"/>: static + dynamic shared memory is over the
/// default 48 KiB, so the function's MAX_DYNAMIC_SHARED_SIZE_BYTES must be raised to the dynamic bytes first.
/// </summary>
internal readonly record struct GroupNormLaunch(bool Launch, uint Blocks, uint Threads, int StaticSharedBytes, uint DynamicSharedBytes, bool Cache,
    bool RaiseDynamicLimit)
{
    /// <summary>The launch as <see cref="LaunchRules"/> sees it (after the attribute was raised when asked).</summary>
    public LaunchGeometry Geometry => new(Blocks, 1, 1, Threads, 1, 1, StaticSharedBytes, DynamicSharedBytes, RaiseDynamicLimit ? (int)DynamicSharedBytes : null);
}

/// <summary>
/// The launch geometry of the GroupNorm kernels from the shape alone (pure, so tests check it at the paper models'
/// shapes without a GPU). Static + dynamic shared memory never exceeds the limit that applies: 48 KiB, or the
/// device's opt-in limit (227 KiB on an H100/H200) with the dynamic limit raised.
/// </summary>
internal static class GroupNormLaunchPlan
{
    /// <summary>The kernels' arithmetic type for a storage type: float32 for bf16 (and the statistics, affine and FiLM tensors in it), else the type itself.</summary>
    public static DType MathType(DType storage) => storage == DType.BF16 ? DType.F32 : storage;

    /// <param name="dtype">the storage type of x (the cached group is kept in it).</param>
    /// <param name="staticSharedBytes">the forward kernel's own <c>__shared__</c> bytes (<see cref="KernelSharedMemory.GroupNormForward"/>).</param>
    /// <param name="optInLimit">the device's MAX_SHARED_MEMORY_PER_BLOCK_OPTIN.</param>
    public static GroupNormLaunch Forward(int batch, int channels, int groups, long spatial, DType dtype, int staticSharedBytes, int optInLimit)
    {
        var blocks = Blocks(batch, channels, groups, spatial);
        if (blocks == 0)
        {
            return new GroupNormLaunch(false, 0, 0, staticSharedBytes, 0, false, false);
        }
        var groupLength = (long)(channels / groups) * spatial;
        var groupBytes = groupLength * dtype.SizeOf();
        // keep the group in shared memory whenever it fits beside the kernel's static scratch
        var cache = staticSharedBytes + groupBytes <= optInLimit;
        var dynamic = cache ? (uint)groupBytes : 0;
        var raise = staticSharedBytes + (long)dynamic > LaunchRules.DefaultSharedBytes;
        return new GroupNormLaunch(true, blocks, CudaBackend.RowThreads(groupLength), staticSharedBytes, dynamic, cache, raise);
    }

    /// <param name="dtype">the arithmetic type (<see cref="MathType"/>) of the per-channel sums.</param>
    /// <param name="staticSharedBytes">the backward kernel's own <c>__shared__</c> bytes (<see cref="KernelSharedMemory.GroupNormBackward"/>).</param>
    /// <param name="optInLimit">the device's MAX_SHARED_MEMORY_PER_BLOCK_OPTIN.</param>
    public static GroupNormLaunch Backward(int batch, int channels, int groups, long spatial, DType dtype, int staticSharedBytes, int optInLimit)
    {
        var blocks = Blocks(batch, channels, groups, spatial);
        if (blocks == 0)
        {
            return new GroupNormLaunch(false, 0, 0, staticSharedBytes, 0, false, false);
        }
        var cpg = channels / groups;
        // two per-channel sums of the group (gamma·Σdh and gamma·Σdh·x̂)
        var dynamic = 2L * cpg * dtype.SizeOf();
        if (staticSharedBytes + dynamic > optInLimit)
        {
            throw new TensorOpException("GroupNorm (CUDA backward)",
                $"{cpg} channels per group need {dynamic} B of shared memory, more than the GPU's {optInLimit} B per block",
                $"use more groups (at most {(optInLimit - staticSharedBytes) / (2 * dtype.SizeOf())} channels per group)");
        }
        var raise = staticSharedBytes + dynamic > LaunchRules.DefaultSharedBytes;
        return new GroupNormLaunch(true, blocks, (uint)Math.Clamp(32L * cpg, 64, 256), staticSharedBytes, (uint)dynamic, false, raise);
    }

    /// <summary>One block per (sample, group); 0 when any dimension is empty (nothing to launch).</summary>
    private static uint Blocks(int batch, int channels, int groups, long spatial)
    {
        if (batch <= 0 || channels <= 0 || groups <= 0 || spatial <= 0)
        {
            return 0;
        }
        var blocks = (long)batch * groups;
        if (blocks > LaunchRules.MaxGridX)
        {
            throw new TensorOpException("GroupNorm (CUDA)", $"{batch} samples × {groups} groups is more blocks than a grid holds ({LaunchRules.MaxGridX})",
                "split the batch");
        }
        return (uint)blocks;
    }
}
