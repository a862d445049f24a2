namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The shape of one kernel launch: grid and block dimensions, the kernel's static shared memory (its
/// <c>__shared__</c> arrays, <see cref="KernelSharedMemory"/>), the dynamic shared memory the launch asks
/// for, and the function's MAX_DYNAMIC_SHARED_SIZE_BYTES attribute when it was raised (null: never raised).
/// </summary>
internal readonly record struct LaunchGeometry(
    uint GridX, uint GridY, uint GridZ,
    uint BlockX, uint BlockY, uint BlockZ,
    int StaticSharedBytes, uint DynamicSharedBytes, int? RaisedDynamicLimit = null)
{
    public override string ToString() =>
        $"grid {GridX}x{GridY}x{GridZ}, block {BlockX}x{BlockY}x{BlockZ}, shared {StaticSharedBytes} B static + {DynamicSharedBytes} B dynamic" +
        (RaisedDynamicLimit is { } raised ? $" (dynamic limit raised to {raised} B)" : "");
}

/// <summary>
/// The launch limits of an H100/H200 (compute capability 9.0), checked on the host before every cuLaunchKernel so
/// a launch the driver would refuse fails here first, with the kernel, its geometry and the broken rule named, and
/// the same CUresult the GPU returns (CUDA_ERROR_INVALID_VALUE). Registers are not modelled.
/// </summary>
internal static class LaunchRules
{
    /// <summary>CUDA_ERROR_INVALID_VALUE, what cuLaunchKernel and cuFuncSetAttribute return for a geometry out of range.</summary>
    public const int InvalidValue = 1;

    public const string InvalidValueName = "CUDA_ERROR_INVALID_VALUE";

    public const uint MaxThreadsPerBlock = 1024;
    public const uint MaxBlockX = 1024;
    public const uint MaxBlockY = 1024;
    public const uint MaxBlockZ = 64;
    public const uint MaxGridX = int.MaxValue;
    public const uint MaxGridYZ = 65535;

    /// <summary>Static plus dynamic shared memory of a block unless the function's dynamic limit was raised.</summary>
    public const int DefaultSharedBytes = 48 * 1024;

    /// <summary>The opt-in limit of one block's shared memory on compute capability 9.0 (227 KiB).</summary>
    public const int Sm90OptInSharedBytes = 227 * 1024;

    /// <summary>The first rule <paramref name="g"/> breaks, or null when the launch is valid.</summary>
    /// <param name="optInLimit">the device's CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN.</param>
    public static string? Violation(in LaunchGeometry g, int optInLimit)
    {
        if (g.GridX == 0 || g.GridY == 0 || g.GridZ == 0 || g.BlockX == 0 || g.BlockY == 0 || g.BlockZ == 0)
        {
            return "every grid and block dimension must be at least 1";
        }
        if (g.BlockX > MaxBlockX || g.BlockY > MaxBlockY || g.BlockZ > MaxBlockZ)
        {
            return $"block dimensions must be at most {MaxBlockX}x{MaxBlockY}x{MaxBlockZ}";
        }
        if ((ulong)g.BlockX * g.BlockY * g.BlockZ > MaxThreadsPerBlock)
        {
            return $"a block must have at most {MaxThreadsPerBlock} threads (has {(ulong)g.BlockX * g.BlockY * g.BlockZ})";
        }
        if (g.GridX > MaxGridX)
        {
            return $"grid x must be at most {MaxGridX}";
        }
        if (g.GridY > MaxGridYZ || g.GridZ > MaxGridYZ)
        {
            return $"grid y and z must be at most {MaxGridYZ} (put the large dimension in grid x)";
        }
        var total = (long)g.StaticSharedBytes + g.DynamicSharedBytes;
        if (g.RaisedDynamicLimit is not { } raised)
        {
            if (total > DefaultSharedBytes)
            {
                return $"static + dynamic shared memory must be at most {DefaultSharedBytes} B unless MAX_DYNAMIC_SHARED_SIZE_BYTES is raised (asks {total} B)";
            }
            return null;
        }
        if (g.DynamicSharedBytes > raised)
        {
            return $"dynamic shared memory must be at most the raised MAX_DYNAMIC_SHARED_SIZE_BYTES {raised} B (asks {g.DynamicSharedBytes} B)";
        }
        if (total > optInLimit)
        {
            return $"static + dynamic shared memory must be at most the device's opt-in limit {optInLimit} B (asks {total} B)";
        }
        return null;
    }

    /// <summary>Throws the error a GPU gives (CUDA_ERROR_INVALID_VALUE) when <paramref name="g"/> breaks a rule.</summary>
    public static void Check(string kernel, in LaunchGeometry g, int optInLimit)
    {
        if (Violation(g, optInLimit) is { } rule)
        {
            throw new CudaException($"cuLaunchKernel({kernel}, {g})", InvalidValue, InvalidValueName, rule,
                "this is a bug in the launch code of that kernel (its geometry does not fit the GPU); please report it");
        }
    }

    /// <summary>
    /// The rule cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, <paramref name="dynamicLimit"/>) breaks for a kernel
    /// with <paramref name="staticBytes"/> of static shared memory, or null when the driver accepts it.
    /// </summary>
    public static string? DynamicLimitViolation(int staticBytes, int dynamicLimit, int optInLimit)
    {
        if (dynamicLimit < 0)
        {
            return "MAX_DYNAMIC_SHARED_SIZE_BYTES must not be negative";
        }
        if ((long)staticBytes + dynamicLimit > optInLimit)
        {
            return $"static ({staticBytes} B) + MAX_DYNAMIC_SHARED_SIZE_BYTES ({dynamicLimit} B) must be at most the device's opt-in limit {optInLimit} B";
        }
        return null;
    }

    /// <summary>Throws CUDA_ERROR_INVALID_VALUE when the attribute value would be refused by the driver.</summary>
    public static void CheckDynamicLimit(string kernel, int staticBytes, int dynamicLimit, int optInLimit)
    {
        if (DynamicLimitViolation(staticBytes, dynamicLimit, optInLimit) is { } rule)
        {
            throw new CudaException($"cuFuncSetAttribute({kernel}, MAX_DYNAMIC_SHARED_SIZE_BYTES, {dynamicLimit})", InvalidValue, InvalidValueName, rule,
                "this is a bug in the launch code of that kernel (it asks for more shared memory than the GPU has); please report it");
        }
    }
}
