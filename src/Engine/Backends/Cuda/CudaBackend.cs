using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The CUDA back end of one GPU: a caching allocator, one non-blocking stream (every kernel, copy, cuBLAS and cuDNN
/// call is queued on it, so work runs in program order without host waits), pinned staging for host copies,
/// cuBLAS for GEMM, cuDNN for convolutions and our own kernels (kernels/*.cu) for everything else. Op kernels
/// live next to their ops (Ops/*/*.Cuda.cs). Not thread-safe: drive one GPU from one thread at a time.
/// Environment: NTR_TF32=0 disables TF32 tensor cores for GEMM and convolutions; NTR_CUDA_SYNC=1 waits after
/// every launch (to find a faulting kernel); NTR_CUDNN_DETERMINISTIC=0 allows non-deterministic conv algorithms.
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend, IDisposable
{
    private readonly CudaBufferPool _pool;
    private readonly PinnedStaging _staging;
    private bool _disposed;

    private CudaBackend(CudaContext context)
    {
        Context = context;
        Device = Engine.Device.Cuda(context.Ordinal);
        _pool = new CudaBufferPool(this);
        _staging = new PinnedStaging(context);
        Kernels = new CudaKernelModules(context);
        DeterministicConvolutions = Environment.GetEnvironmentVariable("NTR_CUDNN_DETERMINISTIC") != "0";
        SynchronizeEachLaunch = Environment.GetEnvironmentVariable("NTR_CUDA_SYNC") == "1";
    }

    /// <summary>Opens GPU <paramref name="ordinal"/> (driver, primary context, stream). Throws a clear error when there is none.</summary>
    public static CudaBackend Open(int ordinal) => new(CudaContext.Open(ordinal));

    /// <summary>Number of GPUs the driver sees; throws <see cref="CudaLibraryNotFoundException"/> without a driver.</summary>
    public static int DeviceCount() => CudaContext.DeviceCount();

    internal CudaContext Context { get; }

    internal CudaKernelModules Kernels { get; }

    public Device Device { get; }

    public BufferPool Pool => _pool;

    public CudaDeviceInfo Info => Context.Info;

    /// <summary>Whether convolution algorithm search keeps only deterministic cuDNN algorithms.</summary>
    public bool DeterministicConvolutions { get; set; }

    /// <summary>Synchronise and check after every kernel launch (slow; for locating faults).</summary>
    public bool SynchronizeEachLaunch { get; set; }

    /// <summary>Where each kernel module's image came from (fatbin or NVRTC), in load order.</summary>
    public IReadOnlyList<string> KernelLoadLog => Kernels.LoadLog;

    public Storage AllocateUnpooled(DType dtype, long length) => AllocateStorage(dtype, length, null);

    /// <summary>Free and total bytes of the GPU's memory as the driver reports them (cuMemGetInfo; every process and context counted).</summary>
    public (long Free, long Total) MemoryInfo() => Context.MemoryInfo();

    internal CudaStorage AllocateStorage(DType dtype, long length, CudaBufferPool? pool)
    {
        RefuseWhileCapturing($"allocating {length} {dtype} elements of device memory",
            "the pool had no free buffer of that size, and a graph may not allocate (cuMemAlloc is not a stream operation)",
            "run the step once eagerly with the same shapes before capturing, so the pool holds every buffer the step needs");
        Context.MakeCurrent();
        var bytes = (long)Math.Max(1, length * dtype.SizeOf());
        bytes = (bytes + 255) & ~255L;
        var result = CudaDriver.cuMemAlloc(out var pointer, (nuint)bytes);
        if (result == CudaDriver.ErrorOutOfMemory)
        {
            var released = _pool.CachedBytes;
            _pool.Trim();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            result = CudaDriver.cuMemAlloc(out pointer, (nuint)bytes);
            if (result == CudaDriver.ErrorOutOfMemory)
            {
                var (free, total) = Context.MemoryInfo();
                throw new CudaOutOfMemoryException(bytes, released, _pool.LiveBytes, free, total);
            }
        }
        CudaDriver.Check(result, "cuMemAlloc_v2");
        return new CudaStorage(this, dtype, length, new DeviceAllocation(Context.Handle, pointer, bytes));
    }

    /// <summary>Device address of a tensor's first element (0 for null); checks the tensor lives on this GPU.</summary>
    internal ulong Ptr(Tensor? t)
    {
        if (t is null)
        {
            return 0;
        }
        if (t.Storage is not CudaStorage s || !ReferenceEquals(s.OwnerBackend, this))
        {
            throw new TensorOpException("cuda", $"tensor {t.Describe()} is not on {Device}", $"move it with .To({Device}) first");
        }
        return s.Pointer + (ulong)(t.Offset * t.DType.SizeOf());
    }

    public void CopyFromHost<T>(ReadOnlySpan<T> source, Tensor destination)
        where T : unmanaged
    {
        RefuseWhileCapturing($"copying host data into {destination.Describe()} (Tensor.FromSpan, CopyFromHost)",
            "the graph would replay this step's values at every later step",
            "stage per-step inputs into fixed device buffers before launching the graph (PinnedStepInputs), outside the capture");
        Context.MakeCurrent();
        var dst = Ptr(destination);
        var count = (long)destination.Numel;
        var elementSize = destination.DType.SizeOf();
        var perSlot = PinnedStaging.SlotBytes / elementSize;
        for (long start = 0; start < count; start += perSlot)
        {
            var n = (int)Math.Min(perSlot, count - start);
            var slot = _staging.Acquire(out var index);
            var chunk = source.Slice((int)start, n);
            if (destination.DType == DType.BF16)
            {
                // through float32: float64 values are rounded to float32 first, then to bf16
                var target = new Span<ushort>(slot, n);
                for (var i = 0; i < n; i++)
                {
                    target[i] = BFloat16.FromFloat(typeof(T) == typeof(float) ? MemoryMarshal.Cast<T, float>(chunk)[i] : (float)MemoryMarshal.Cast<T, double>(chunk)[i]);
                }
            }
            else if (destination.DType == DType.F32)
            {
                var target = new Span<float>(slot, n);
                if (typeof(T) == typeof(float))
                {
                    MemoryMarshal.Cast<T, float>(chunk).CopyTo(target);
                }
                else
                {
                    var d = MemoryMarshal.Cast<T, double>(chunk);
                    for (var i = 0; i < n; i++)
                    {
                        target[i] = (float)d[i];
                    }
                }
            }
            else
            {
                var target = new Span<double>(slot, n);
                if (typeof(T) == typeof(double))
                {
                    MemoryMarshal.Cast<T, double>(chunk).CopyTo(target);
                }
                else
                {
                    var f = MemoryMarshal.Cast<T, float>(chunk);
                    for (var i = 0; i < n; i++)
                    {
                        target[i] = f[i];
                    }
                }
            }
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(dst + (ulong)(start * elementSize), slot, (nuint)(n * elementSize), Context.Stream), "cuMemcpyHtoDAsync_v2");
            _staging.Release(index);
        }
    }

    /// <summary>Copies host doubles into a scratch or device buffer of doubles (small uploads: coefficients).</summary>
    internal void UploadDoubles(ReadOnlySpan<double> values, ulong destination)
    {
        Context.MakeCurrent();
        if (_capture is { } capture)
        {
            // constants of one call (e.g. the Fisher penalty's ρ and anchors): a page-locked copy the graph's memcpy reads at every replay
            var constant = capture.Constant(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(destination, constant, (nuint)(values.Length * sizeof(double)), Context.Stream), "cuMemcpyHtoDAsync_v2");
            return;
        }
        var slot = _staging.Acquire(out var index);
        values.CopyTo(new Span<double>(slot, values.Length));
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(destination, slot, (nuint)(values.Length * sizeof(double)), Context.Stream), "cuMemcpyHtoDAsync_v2");
        _staging.Release(index);
    }

    /// <summary>Waits for the stream, then copies device doubles to the host.</summary>
    internal void DownloadDoubles(ulong source, Span<double> values)
    {
        RefuseHostRead();
        Context.MakeCurrent();
        var slot = _staging.Acquire(out var index);
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(slot, source, (nuint)(values.Length * sizeof(double)), Context.Stream), "cuMemcpyDtoHAsync_v2");
        _staging.Release(index);
        Context.Synchronize();
        new ReadOnlySpan<double>(slot, values.Length).CopyTo(values);
    }

    public void CopyToHost<T>(Tensor source, Span<T> destination)
        where T : unmanaged
    {
        RefuseHostRead();
        Context.MakeCurrent();
        var src = Ptr(source);
        var count = (long)source.Numel;
        var elementSize = source.DType.SizeOf();
        var perSlot = PinnedStaging.SlotBytes / elementSize;
        for (long start = 0; start < count; start += perSlot)
        {
            var n = (int)Math.Min(perSlot, count - start);
            var slot = _staging.Acquire(out var index);
            CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(slot, src + (ulong)(start * elementSize), (nuint)(n * elementSize), Context.Stream), "cuMemcpyDtoHAsync_v2");
            _staging.Release(index);
            Context.Synchronize();
            var chunk = destination.Slice((int)start, n);
            if (source.DType == DType.BF16)
            {
                var from = new ReadOnlySpan<ushort>(slot, n);
                for (var i = 0; i < n; i++)
                {
                    var value = BFloat16.ToFloat(from[i]);
                    if (typeof(T) == typeof(float))
                    {
                        MemoryMarshal.Cast<T, float>(chunk)[i] = value;
                    }
                    else
                    {
                        MemoryMarshal.Cast<T, double>(chunk)[i] = value;
                    }
                }
            }
            else if (source.DType == DType.F32)
            {
                var from = new ReadOnlySpan<float>(slot, n);
                if (typeof(T) == typeof(float))
                {
                    from.CopyTo(MemoryMarshal.Cast<T, float>(chunk));
                }
                else
                {
                    var d = MemoryMarshal.Cast<T, double>(chunk);
                    for (var i = 0; i < n; i++)
                    {
                        d[i] = from[i];
                    }
                }
            }
            else
            {
                var from = new ReadOnlySpan<double>(slot, n);
                if (typeof(T) == typeof(double))
                {
                    from.CopyTo(MemoryMarshal.Cast<T, double>(chunk));
                }
                else
                {
                    var f = MemoryMarshal.Cast<T, float>(chunk);
                    for (var i = 0; i < n; i++)
                    {
                        f[i] = (float)from[i];
                    }
                }
            }
        }
    }

    public void Copy(Tensor source, Tensor destination)
    {
        if (source.Numel == 0)
        {
            return;
        }
        Context.MakeCurrent();
        if (source.IsContiguous && destination.IsContiguous)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync(Ptr(destination), Ptr(source), (nuint)(source.Numel * source.DType.SizeOf()), Context.Stream), "cuMemcpyDtoDAsync_v2");
            return;
        }
        var layout = StridedLayout.Create("Copy", destination.Shape, source.Strides, destination.Strides);
        ulong src = Ptr(source), dst = Ptr(destination);
        long n = destination.Numel;
        void** args = stackalloc void*[] { &src, &dst, &layout, &n };
        Launch("copy", "copy_strided", source.DType, n, args);
    }

    public void Fill(Tensor destination, double value)
    {
        if (destination.Numel == 0)
        {
            return;
        }
        Context.MakeCurrent();
        var dst = Ptr(destination);
        long n = destination.Numel;
        if (destination.DType == DType.F32)
        {
            CudaDriver.Check(CudaDriver.cuMemsetD32Async(dst, BitConverter.SingleToUInt32Bits((float)value), (nuint)n, Context.Stream), "cuMemsetD32Async");
            return;
        }
        if (destination.DType == DType.BF16)
        {
            var bits = BFloat16.FromFloat((float)value);
            void** bfArgs = stackalloc void*[] { &dst, &n, &bits };
            Launch("copy", "fill", DType.BF16, n, bfArgs);
            return;
        }
        if (BitConverter.DoubleToInt64Bits(value) == 0)
        {
            CudaDriver.Check(CudaDriver.cuMemsetD32Async(dst, 0, (nuint)(2 * n), Context.Stream), "cuMemsetD32Async");
            return;
        }
        void** args = stackalloc void*[] { &dst, &n, &value };
        Launch("copy", "fill", DType.F64, n, args);
    }

    public void FillNormal(Tensor destination, ulong seed, ulong offset)
    {
        if (destination.Numel == 0)
        {
            return;
        }
        var dst = Ptr(destination);
        long n = destination.Numel;
        if (_capture is { } capture)
        {
            var shift = capture.ShiftFor(seed, "a normal fill (Tensor.Randn)");
            void** shifted = stackalloc void*[] { &dst, &n, &seed, &offset, &shift };
            Launch("random", "fill_normal_shifted", destination.DType, n, shifted);
            return;
        }
        void** args = stackalloc void*[] { &dst, &n, &seed, &offset };
        Launch("random", "fill_normal", destination.DType, n, args);
    }

    public void FillUniform(Tensor destination, ulong seed, ulong offset, double low, double high)
    {
        if (destination.Numel == 0)
        {
            return;
        }
        var dst = Ptr(destination);
        long n = destination.Numel;
        // inside a capture: the shifted kernel, whose extra last parameter points at the generator's staged shift (the
        // plain kernel ignores that array entry: the driver reads as many parameters as the kernel declares)
        var shift = _capture?.ShiftFor(seed, "a uniform fill (Tensor.Rand)") ?? 0;
        var kernel = _capture is null ? "fill_uniform" : "fill_uniform_shifted";
        if (destination.DType == DType.F32)
        {
            float lo = (float)low, span = (float)(high - low);
            void** args = stackalloc void*[] { &dst, &n, &seed, &offset, &lo, &span, &shift };
            Launch("random", kernel, DType.F32, n, args);
        }
        else
        {
            double span = high - low;
            void** args = stackalloc void*[] { &dst, &n, &seed, &offset, &low, &span, &shift };
            Launch("random", kernel, DType.F64, n, args);
        }
    }

    public void Synchronize()
    {
        RefuseWhileCapturing("waiting for the device (Synchronize)", "a graph cannot contain a host wait, and the driver would invalidate the capture",
            "synchronise before capturing or after launching the graph");
        Context.Synchronize();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Context.Synchronize();
        _pool.Trim();
        DisposeLibraries();
        Kernels.Dispose();
        _staging.Dispose();
        Context.Dispose();
    }
}
