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
        var facts = Facts(function, module, kernel, dtype);
        var geometry = new LaunchGeometry(gridX, gridY, 1, blockX, 1, 1, facts.StaticSharedBytes, sharedBytes, facts.RaisedDynamicLimit);
        LaunchRules.Check(facts.Name, geometry, Info.MaxSharedMemoryPerBlockOptin);
        var result = CudaDriver.cuLaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, sharedBytes, Context.Stream, args, null);
        if (result != CudaDriver.Success)
        {
            throw CudaDriver.Error(result, $"cuLaunchKernel({facts.Name}, {geometry})");
        }
        if (SynchronizeEachLaunch && _capture is null)
        {
            var sync = CudaDriver.cuStreamSynchronize(Context.Stream);
            if (sync != CudaDriver.Success)
            {
                throw CudaDriver.Error(sync, $"kernel {facts.Name} (checked with NTR_CUDA_SYNC=1)");
            }
        }
    }

    /// <summary>
    /// Raises a kernel's MAX_DYNAMIC_SHARED_SIZE_BYTES so a launch with <paramref name="dynamicBytes"/> of dynamic shared
    /// memory is allowed, when its static plus dynamic shared memory is over the default 48 KiB (else nothing to do).
    /// </summary>
    internal void AllowSharedMemory(string module, string kernel, DType? dtype, int dynamicBytes)
    {
        var function = Kernels.Function(module, kernel, dtype);
        var facts = Facts(function, module, kernel, dtype);
        if (facts.StaticSharedBytes + (long)dynamicBytes <= LaunchRules.DefaultSharedBytes || facts.RaisedDynamicLimit >= dynamicBytes)
        {
            return;
        }
        LaunchRules.CheckDynamicLimit(facts.Name, facts.StaticSharedBytes, dynamicBytes, Info.MaxSharedMemoryPerBlockOptin);
        CudaDriver.Check(CudaDriver.cuFuncSetAttribute(function, CudaDriver.FunctionAttributeMaxDynamicSharedSizeBytes, dynamicBytes),
            $"cuFuncSetAttribute({facts.Name}, MAX_DYNAMIC_SHARED_SIZE_BYTES, {dynamicBytes})");
        facts.RaisedDynamicLimit = dynamicBytes;
    }

    /// <summary>What the launch check needs to know of each loaded function, looked up once.</summary>
    private sealed class KernelFacts(string name, int staticSharedBytes)
    {
        /// <summary>"module.kernel_f32", for messages.</summary>
        public string Name { get; } = name;

        public int StaticSharedBytes { get; } = staticSharedBytes;

        /// <summary>The function's MAX_DYNAMIC_SHARED_SIZE_BYTES when raised; null while it is the default.</summary>
        public int? RaisedDynamicLimit { get; set; }
    }

    private readonly Dictionary<nint, KernelFacts> _kernelFacts = new();

    private KernelFacts Facts(nint function, string module, string kernel, DType? dtype)
    {
        if (!_kernelFacts.TryGetValue(function, out var facts))
        {
            var fullName = kernel + Suffix(dtype);
            facts = new KernelFacts($"{module}.{fullName}", KernelSharedMemory.StaticBytes(module, fullName));
            _kernelFacts[function] = facts;
        }
        return facts;
    }

    /// <summary>
    /// Refuses a bf16 tensor for a kernel built for float32 and float64 only whose launch picks f32 or else f64 (which
    /// would read the bf16 buffer as doubles, past its end).
    /// </summary>
    internal static void RefuseBf16(Tensor t, string kernel)
    {
        if (t.DType == DType.BF16)
        {
            throw BFloat16Kernels.Unsupported(kernel);
        }
    }

    private static string Suffix(DType? dtype) => dtype switch
    {
        null => "",
        DType.F32 => "_f32",
        DType.BF16 => "_bf16",
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
