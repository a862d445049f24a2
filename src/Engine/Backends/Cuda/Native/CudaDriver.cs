using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The CUDA driver API (libcuda.so.1), bound by the versioned symbol names that cuda.h maps to (the plain names
/// keep legacy ABIs, e.g. 32-bit sizes). Handles are nint, device pointers ulong, size_t nuint. Every call goes
/// through <see cref="Check"/>, which throws a <see cref="CudaException"/> naming the call and the error.
/// </summary>
internal static unsafe partial class CudaDriver
{
    private const string Library = "cuda";

    public const int Success = 0;
    public const int ErrorOutOfMemory = 2;
    public const int ErrorNotReady = 600;

    public const uint StreamNonBlocking = 1;
    public const uint EventDefault = 0;
    public const uint EventDisableTiming = 2;
    public const uint HostAllocPortable = 1;
    public const int CaptureModeThreadLocal = 1;
    public const int CaptureModeRelaxed = 2;

    public const int AttributeMultiprocessorCount = 16;
    public const int AttributeL2CacheSize = 38;
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    public const int AttributeMaxSharedMemoryPerBlockOptin = 97;
    public const int AttributeMemoryClockRate = 36;
    public const int AttributeGlobalMemoryBusWidth = 37;
    public const int AttributeClockRate = 13;

    public const int FunctionAttributeMaxDynamicSharedSizeBytes = 8;

    static CudaDriver()
    {
        CudaLibraryLocator.RegisterImportResolvers();
    }

    /// <summary>Throws a <see cref="CudaException"/> (or <see cref="CudaOutOfMemoryException"/>-ready code) unless the call succeeded.</summary>
    public static void Check(int result, string api)
    {
        if (result != Success)
        {
            throw Error(result, api);
        }
    }

    public static CudaException Error(int result, string api)
    {
        var fix = result switch
        {
            3 or 100 => "the driver found no usable GPU; run on a machine with an NVIDIA GPU or use --device cpu",
            35 => "the installed driver is older than this CUDA code needs; update the NVIDIA driver",
            209 or 218 or 222 => "the kernel image does not fit this GPU or driver; delete ~/.cache/ntr/kernels and any stale kernels fatbin (NTR_KERNELS_FATBIN) so kernels are recompiled",
            700 or 716 or 719 => "a kernel faulted; the CUDA context is now unusable and the process must restart. Re-run with NTR_CUDA_SYNC=1 to find the kernel",
            _ => null,
        };
        // The emulated device says which kernel, block and thread failed, and why.
        var emulated = CudaEmulation.LastError();
        var description = emulated is null ? ErrorString(result) : $"{ErrorString(result)} (emulated device: {emulated})";
        if (emulated is not null && result is 700 or 716 or 719)
        {
            fix = "fix the kernel named above; the emulated context stays usable, but on a GPU this fault would end the process's CUDA context";
        }
        return new CudaException(api, result, ErrorName(result), description, fix);
    }

    public static string ErrorName(int result)
    {
        try
        {
            return cuGetErrorName(result, out var p) == Success && p != 0 ? Marshal.PtrToStringUTF8(p) ?? $"CUresult {result}" : $"CUresult {result}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"CUresult {result}";
        }
    }

    public static string ErrorString(int result)
    {
        try
        {
            return cuGetErrorString(result, out var p) == Success && p != 0 ? Marshal.PtrToStringUTF8(p) ?? "unknown error" : "unknown error";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "unknown error";
        }
    }

    [LibraryImport(Library)]
    public static partial int cuGetErrorName(int error, out nint name);

    [LibraryImport(Library)]
    public static partial int cuGetErrorString(int error, out nint text);

    [LibraryImport(Library)]
    public static partial int cuInit(uint flags);

    [LibraryImport(Library)]
    public static partial int cuDriverGetVersion(out int version);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetCount(out int count);

    [LibraryImport(Library)]
    public static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceTotalMem_v2")]
    public static partial int cuDeviceTotalMem(out nuint bytes, int device);

    [LibraryImport(Library)]
    public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(Library)]
    public static partial int cuDevicePrimaryCtxRetain(out nint context, int device);

    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    public static partial int cuDevicePrimaryCtxRelease(int device);

    [LibraryImport(Library)]
    public static partial int cuCtxSetCurrent(nint context);

    [LibraryImport(Library)]
    public static partial int cuCtxGetCurrent(out nint context);

    [LibraryImport(Library)]
    public static partial int cuCtxSynchronize();

    [LibraryImport(Library, EntryPoint = "cuMemAlloc_v2")]
    public static partial int cuMemAlloc(out ulong pointer, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemFree_v2")]
    public static partial int cuMemFree(ulong pointer);

    [LibraryImport(Library, EntryPoint = "cuMemGetInfo_v2")]
    public static partial int cuMemGetInfo(out nuint free, out nuint total);

    [LibraryImport(Library)]
    public static partial int cuMemHostAlloc(out nint pointer, nuint bytes, uint flags);

    [LibraryImport(Library)]
    public static partial int cuMemFreeHost(nint pointer);

    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoDAsync_v2")]
    public static partial int cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoHAsync_v2")]
    public static partial int cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoDAsync_v2")]
    public static partial int cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemsetD32Async")]
    public static partial int cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemsetD8Async")]
    public static partial int cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);

    [LibraryImport(Library)]
    public static partial int cuStreamCreate(out nint stream, uint flags);

    [LibraryImport(Library, EntryPoint = "cuStreamDestroy_v2")]
    public static partial int cuStreamDestroy(nint stream);

    [LibraryImport(Library)]
    public static partial int cuStreamSynchronize(nint stream);

    [LibraryImport(Library)]
    public static partial int cuStreamWaitEvent(nint stream, nint cudaEvent, uint flags);

    [LibraryImport(Library)]
    public static partial int cuEventCreate(out nint cudaEvent, uint flags);

    [LibraryImport(Library, EntryPoint = "cuEventDestroy_v2")]
    public static partial int cuEventDestroy(nint cudaEvent);

    [LibraryImport(Library)]
    public static partial int cuEventRecord(nint cudaEvent, nint stream);

    [LibraryImport(Library)]
    public static partial int cuEventSynchronize(nint cudaEvent);

    [LibraryImport(Library)]
    public static partial int cuEventQuery(nint cudaEvent);

    [LibraryImport(Library)]
    public static partial int cuEventElapsedTime(out float milliseconds, nint start, nint end);

    [LibraryImport(Library)]
    public static partial int cuModuleLoadData(out nint module, void* image);

    [LibraryImport(Library)]
    public static partial int cuModuleUnload(nint module);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int cuModuleGetFunction(out nint function, nint module, string name);

    [LibraryImport(Library)]
    public static partial int cuFuncSetAttribute(nint function, int attribute, int value);

    [LibraryImport(Library)]
    public static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedBytes, nint stream, void** parameters, void** extra);

    [LibraryImport(Library, EntryPoint = "cuStreamBeginCapture_v2")]
    public static partial int cuStreamBeginCapture(nint stream, int mode);

    [LibraryImport(Library)]
    public static partial int cuStreamEndCapture(nint stream, out nint graph);

    [LibraryImport(Library)]
    public static partial int cuGraphInstantiateWithFlags(out nint exec, nint graph, ulong flags);

    [LibraryImport(Library)]
    public static partial int cuGraphLaunch(nint exec, nint stream);

    [LibraryImport(Library)]
    public static partial int cuGraphExecDestroy(nint exec);

    [LibraryImport(Library)]
    public static partial int cuGraphDestroy(nint graph);
}
