namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    /// <summary>Threads per block of the grid-stride elementwise kernels.</summary>
    internal const int ElementwiseThreads = 256;

    /// <summary>Blocks for a grid-stride loop over n elements: enough to fill the GPU, no more than needed.</summary>
    internal uint ElementwiseBlocks(long n)
    {
        var needed = (n + ElementwiseThreads - 1) / ElementwiseThreads;
        var cap = (long)Info.Multiprocessors * 32;
        return (uint)Math.Clamp(needed, 1, cap);
    }

    /// <summary>Launches a grid-stride elementwise kernel over n elements.</summary>
    internal void Launch(string module, string kernel, DType? dtype, long n, void** args) =>
        Launch(module, kernel, dtype, ElementwiseBlocks(n), 1, ElementwiseThreads, 0, args);

    /// <summary>
    /// Queues kernel `kernel` (with the dtype suffix when given) of kernels/`module`.cu on the stream.
    /// <paramref name="args"/> points at one pointer per kernel parameter, each to a local holding the value.
    /// The geometry is checked against the GPU's launch rules first (<see cref="LaunchRules"/>).
    /// </summary>
    internal void Launch(string module, string kernel, DType? dtype, uint gridX, uint gridY, uint blockX, uint sharedBytes, void** args)
    {
        Context.MakeCurrent();
        var function = Kernels.Function(module, kernel, dtype);
        var fullName = kernel + Suffix(dtype);
        var geometry = new LaunchGeometry(gridX, gridY, 1, blockX, 1, 1, KernelSharedMemory.StaticBytes(module, fullName), sharedBytes,
            _dynamicSharedLimits.TryGetValue(function, out var raised) ? raised : null);
        LaunchRules.Check($"{module}.{fullName}", geometry, Info.MaxSharedMemoryPerBlockOptin);
        var result = CudaDriver.cuLaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, sharedBytes, Context.Stream, args, null);
        if (result != CudaDriver.Success)
        {
            throw CudaDriver.Error(result, $"cuLaunchKernel({module}.{fullName}, {geometry})");
        }
        if (SynchronizeEachLaunch)
        {
            var sync = CudaDriver.cuStreamSynchronize(Context.Stream);
            if (sync != CudaDriver.Success)
            {
                throw CudaDriver.Error(sync, $"kernel {module}.{fullName} (checked with NTR_CUDA_SYNC=1)");
            }
        }
    }

    /// <summary>The MAX_DYNAMIC_SHARED_SIZE_BYTES each function's attribute was raised to (absent: never raised).</summary>
    private readonly Dictionary<nint, int> _dynamicSharedLimits = new();

    /// <summary>
    /// Raises a kernel's MAX_DYNAMIC_SHARED_SIZE_BYTES so a launch with <paramref name="dynamicBytes"/> of dynamic shared
    /// memory is allowed, when its static plus dynamic shared memory is over the default 48 KiB (else nothing to do).
    /// </summary>
    internal void AllowSharedMemory(string module, string kernel, DType? dtype, int dynamicBytes)
    {
        var fullName = kernel + Suffix(dtype);
        var staticBytes = KernelSharedMemory.StaticBytes(module, fullName);
        if (staticBytes + (long)dynamicBytes <= LaunchRules.DefaultSharedBytes)
        {
            return;
        }
        var function = Kernels.Function(module, kernel, dtype);
        if (_dynamicSharedLimits.TryGetValue(function, out var raised) && raised >= dynamicBytes)
        {
            return;
        }
        LaunchRules.CheckDynamicLimit($"{module}.{fullName}", staticBytes, dynamicBytes, Info.MaxSharedMemoryPerBlockOptin);
        CudaDriver.Check(CudaDriver.cuFuncSetAttribute(function, CudaDriver.FunctionAttributeMaxDynamicSharedSizeBytes, dynamicBytes),
            $"cuFuncSetAttribute({module}.{fullName}, MAX_DYNAMIC_SHARED_SIZE_BYTES, {dynamicBytes})");
        _dynamicSharedLimits[function] = dynamicBytes;
    }

    private static string Suffix(DType? dtype) => dtype switch
    {
        null => "",
        DType.F32 => "_f32",
        _ => "_f64",
    };

    /// <summary>A pooled device buffer for intermediate results of one back-end call (returned at Dispose;
    /// later reuse is ordered after the queued kernels that read it because everything runs on one stream).</summary>
    internal ScratchBuffer Scratch(DType dtype, long length) => new(_pool, (CudaStorage)_pool.Rent(dtype, Math.Max(1, length)));

    internal readonly struct ScratchBuffer(BufferPool pool, CudaStorage storage) : IDisposable
    {
        public ulong Pointer => storage.Pointer;

        public void Dispose() => pool.Return(storage);
    }
}
