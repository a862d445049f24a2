using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>cuBLAS (libcublas.so.13 / .12): handle, stream, workspace, math mode, GemmEx and its strided-batched form.</summary>
internal static unsafe partial class Cublas
{
    private const string Library = "cublas";

    public const int OpN = 0;
    public const int OpT = 1;
    public const int DataFloat = 0;   // CUDA_R_32F
    public const int DataDouble = 1;  // CUDA_R_64F
    public const int DataBFloat16 = 14;  // CUDA_R_16BF
    public const int ComputeFloat = 68;        // CUBLAS_COMPUTE_32F: no tensor cores
    public const int ComputeFloatTf32 = 77;    // CUBLAS_COMPUTE_32F_FAST_TF32
    public const int ComputeDouble = 70;       // CUBLAS_COMPUTE_64F
    public const int AlgoDefault = -1;
    public const int MathDefault = 0;

    static Cublas()
    {
        CudaLibraryLocator.RegisterImportResolvers();
    }

    public static void Check(int status, string api)
    {
        if (status != 0)
        {
            // the emulated device's stand-in says which argument or descriptor was wrong
            var emulated = CudaEmulation.LastError();
            throw new CudaException(api, status, StatusName(status), emulated is null ? StatusDescription(status) : $"{StatusDescription(status)} (emulated cuBLAS: {emulated})");
        }
    }

    public static string StatusName(int status) => status switch
    {
        0 => "CUBLAS_STATUS_SUCCESS",
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"cublasStatus {status}",
    };

    private static string StatusDescription(int status) => status switch
    {
        1 => "the cuBLAS library was not initialized (no GPU context?)",
        3 => "cuBLAS could not allocate memory (GPU out of memory)",
        7 => "an unsupported value or parameter was passed (check GEMM sizes and leading dimensions)",
        13 => "the GPU program failed to execute",
        15 => "the functionality requested is not supported",
        _ => "see the cuBLAS documentation",
    };

    [LibraryImport(Library, EntryPoint = "cublasCreate_v2")]
    public static partial int cublasCreate(out nint handle);

    [LibraryImport(Library, EntryPoint = "cublasDestroy_v2")]
    public static partial int cublasDestroy(nint handle);

    [LibraryImport(Library, EntryPoint = "cublasSetStream_v2")]
    public static partial int cublasSetStream(nint handle, nint stream);

    [LibraryImport(Library)]
    public static partial int cublasSetMathMode(nint handle, int mode);

    [LibraryImport(Library)]
    public static partial int cublasSetWorkspace_v2(nint handle, ulong workspace, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cublasGetVersion_v2")]
    public static partial int cublasGetVersion(nint handle, out int version);

    [LibraryImport(Library)]
    public static partial int cublasGemmEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        ulong a, int aType, int lda, ulong b, int bType, int ldb, void* beta, ulong c, int cType, int ldc, int computeType, int algo);

    [LibraryImport(Library)]
    public static partial int cublasGemmStridedBatchedEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        ulong a, int aType, int lda, long strideA, ulong b, int bType, int ldb, long strideB, void* beta,
        ulong c, int cType, int ldc, long strideC, int batchCount, int computeType, int algo);
}
