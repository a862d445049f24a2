namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>A CUDA, cuBLAS, cuDNN or NVRTC call failed. The message names the API call and the library's error name.</summary>
public class CudaException : Exception
{
    public CudaException(string api, int code, string errorName, string description, string? fix = null)
        : base($"{api} failed: {errorName} ({code}): {description}" + (fix is null ? "" : $". Fix: {fix}"))
    {
        Api = api;
        Code = code;
        ErrorName = errorName;
    }

    public CudaException(string message)
        : base(message)
    {
        Api = "";
        ErrorName = "";
    }

    /// <summary>The function that failed, e.g. "cuMemAlloc_v2".</summary>
    public string Api { get; }

    /// <summary>The library's status code.</summary>
    public int Code { get; }

    /// <summary>The status name, e.g. "CUDA_ERROR_OUT_OF_MEMORY".</summary>
    public string ErrorName { get; }
}

/// <summary>The device ran out of memory even after the caching allocator released everything it held.</summary>
public sealed class CudaOutOfMemoryException : CudaException
{
    public CudaOutOfMemoryException(long requestedBytes, long cachedBytesReleased, long liveBytes, long freeBytes, long totalBytes)
        : base($"out of GPU memory: could not allocate {Format(requestedBytes)} (live tensors {Format(liveBytes)}, device free {Format(freeBytes)} of {Format(totalBytes)}; " +
               $"{Format(cachedBytesReleased)} of cached buffers were released and the allocation retried). Fix: use a smaller batch size, " +
               "release tensors you no longer need (end TensorScopes sooner, drop references to unscoped tensors), or run fewer processes on this GPU")
    {
        RequestedBytes = requestedBytes;
    }

    public long RequestedBytes { get; }

    private static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F2} GiB" : $"{bytes / (double)(1L << 20):F1} MiB";
}

/// <summary>A CUDA library could not be found; the message names the library, where it was looked for, and what to set.</summary>
public sealed class CudaLibraryNotFoundException : Exception
{
    public CudaLibraryNotFoundException(string message)
        : base(message)
    {
    }
}
