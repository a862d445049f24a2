using System.Text;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// One GPU's primary context (the one cuBLAS and cuDNN use) and the back end's single non-blocking stream.
/// The driver keeps the current context per thread, so every entry point calls <see cref="MakeCurrent"/>
/// (a thread-local check, and cuCtxSetCurrent only when this thread last used another context).
/// </summary>
internal sealed unsafe class CudaContext : IDisposable
{
    [ThreadStatic]
    private static nint _currentOnThread;

    private readonly CudaStreamHandle _stream;
    private bool _disposed;

    private CudaContext(int ordinal, int device, nint context, CudaDeviceInfo info)
    {
        Ordinal = ordinal;
        DeviceHandle = device;
        Handle = context;
        Info = info;
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamCreate(out var stream, CudaDriver.StreamNonBlocking), "cuStreamCreate");
        _stream = new CudaStreamHandle(context, stream);
        Stream = stream;
    }

    public int Ordinal { get; }

    public int DeviceHandle { get; }

    public nint Handle { get; }

    public nint Stream { get; }

    public CudaDeviceInfo Info { get; }

    /// <summary>Initialises the driver and retains the primary context of GPU <paramref name="ordinal"/>.</summary>
    public static CudaContext Open(int ordinal)
    {
        CudaLibraryLocator.Default.Load(CudaLibrary.Driver);
        CudaDriver.Check(CudaDriver.cuInit(0), "cuInit");
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out var count), "cuDeviceGetCount");
        if (ordinal < 0 || ordinal >= count)
        {
            throw new CudaException($"cuDeviceGet: GPU {ordinal} does not exist; the driver sees {count} GPU(s). Fix: use --device cuda:0 .. cuda:{Math.Max(0, count - 1)}, or --device cpu");
        }
        CudaDriver.Check(CudaDriver.cuDeviceGet(out var device, ordinal), "cuDeviceGet");
        var info = QueryInfo(ordinal, device);
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        return new CudaContext(ordinal, device, context, info);
    }

    public static int DeviceCount()
    {
        CudaLibraryLocator.Default.Load(CudaLibrary.Driver);
        CudaDriver.Check(CudaDriver.cuInit(0), "cuInit");
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out var count), "cuDeviceGetCount");
        return count;
    }

    private static CudaDeviceInfo QueryInfo(int ordinal, int device)
    {
        var name = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        var text = Encoding.UTF8.GetString(name, new ReadOnlySpan<byte>(name, 256).IndexOf((byte)0) is var n and >= 0 ? n : 256);
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem(out var total, device), "cuDeviceTotalMem_v2");
        CudaDriver.Check(CudaDriver.cuDriverGetVersion(out var driver), "cuDriverGetVersion");
        return new CudaDeviceInfo(ordinal, text,
            Attribute(device, CudaDriver.AttributeComputeCapabilityMajor),
            Attribute(device, CudaDriver.AttributeComputeCapabilityMinor),
            Attribute(device, CudaDriver.AttributeMultiprocessorCount),
            (long)total,
            Attribute(device, CudaDriver.AttributeL2CacheSize),
            Attribute(device, CudaDriver.AttributeMaxSharedMemoryPerBlockOptin),
            driver);
    }

    private static int Attribute(int device, int attribute)
    {
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out var value, attribute, device), "cuDeviceGetAttribute");
        return value;
    }

    public void MakeCurrent()
    {
        if (_currentOnThread != Handle)
        {
            CudaDriver.Check(CudaDriver.cuCtxSetCurrent(Handle), "cuCtxSetCurrent");
            _currentOnThread = Handle;
        }
    }

    public void Synchronize()
    {
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamSynchronize(Stream), "cuStreamSynchronize");
    }

    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        CudaDriver.Check(CudaDriver.cuMemGetInfo(out var free, out var total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        MakeCurrent();
        CudaDriver.cuStreamSynchronize(Stream);
        _stream.Dispose();
        CudaDriver.cuDevicePrimaryCtxRelease(DeviceHandle);
    }
}
