using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// cuDNN 9's legacy convolution API (libcudnn.so.9; deprecated since 9.0 but present): tensor, filter and
/// convolution descriptors, algorithm search, workspace sizes, forward, backward data and backward filter.
/// Argument order traps: SetTensor4dDescriptor takes (format, dtype), SetFilter4dDescriptor (dtype, format).
/// </summary>
internal static unsafe partial class Cudnn
{
    private const string Library = "cudnn";

    public const int DataFloat = 0;
    public const int DataDouble = 1;
    public const int DataBFloat16 = 9;
    public const int FormatNchw = 0;
    public const int CrossCorrelation = 1;
    public const int MathDefault = 0;   // FLOAT data: TF32 tensor cores allowed
    public const int MathFma = 3;       // no tensor cores
    public const int Deterministic = 1;

    static Cudnn()
    {
        CudaLibraryLocator.RegisterImportResolvers();
    }

    public static void Check(int status, string api)
    {
        if (status != 0)
        {
            // the emulated device's stand-in says which descriptor, shape or workspace was wrong
            var emulated = CudaEmulation.LastError();
            throw new CudaException(api, status, StatusName(status), emulated is null ? ErrorString(status) : $"{ErrorString(status)} (emulated cuDNN: {emulated})",
                status == 1008 ? "a cuDNN sub-library could not be loaded; put the folder holding libcudnn*.so.9 in NTR_CUDA_LIB_PATH" : null);
        }
    }

    public static string StatusName(int status) => status switch
    {
        1001 => "CUDNN_STATUS_NOT_INITIALIZED",
        1008 => "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED",
        >= 2000 and < 3000 => "CUDNN_STATUS_BAD_PARAM",
        >= 3000 and < 4000 => "CUDNN_STATUS_NOT_SUPPORTED",
        >= 4000 and < 5000 => "CUDNN_STATUS_INTERNAL_ERROR",
        >= 5000 and < 6000 => "CUDNN_STATUS_EXECUTION_FAILED",
        _ => $"cudnnStatus {status}",
    };

    private static string ErrorString(int status)
    {
        try
        {
            var p = cudnnGetErrorString(status);
            return p == 0 ? "unknown" : Marshal.PtrToStringUTF8(p) ?? "unknown";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "unknown";
        }
    }

    /// <summary>cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (all three share this 48-byte layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ConvolutionPerf
    {
        public int Algorithm;
        public int Status;
        public float TimeMs;
        public nuint Memory;
        public int Determinism;
        public int MathType;
        public fixed int Reserved[3];
    }

    [LibraryImport(Library)]
    public static partial nint cudnnGetErrorString(int status);

    [LibraryImport(Library)]
    public static partial nuint cudnnGetVersion();

    [LibraryImport(Library)]
    public static partial int cudnnCreate(out nint handle);

    [LibraryImport(Library)]
    public static partial int cudnnDestroy(nint handle);

    [LibraryImport(Library)]
    public static partial int cudnnSetStream(nint handle, nint stream);

    [LibraryImport(Library)]
    public static partial int cudnnCreateTensorDescriptor(out nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnSetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w);

    [LibraryImport(Library)]
    public static partial int cudnnDestroyTensorDescriptor(nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnCreateFilterDescriptor(out nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnSetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w);

    [LibraryImport(Library)]
    public static partial int cudnnDestroyFilterDescriptor(nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnCreateConvolutionDescriptor(out nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, int mode, int computeType);

    [LibraryImport(Library)]
    public static partial int cudnnSetConvolutionMathType(nint descriptor, int mathType);

    [LibraryImport(Library)]
    public static partial int cudnnDestroyConvolutionDescriptor(nint descriptor);

    [LibraryImport(Library)]
    public static partial int cudnnFindConvolutionForwardAlgorithm(nint handle, nint x, nint w, nint conv, nint y,
        int requested, out int returned, ConvolutionPerf* results);

    [LibraryImport(Library)]
    public static partial int cudnnFindConvolutionBackwardDataAlgorithm(nint handle, nint w, nint dy, nint conv, nint dx,
        int requested, out int returned, ConvolutionPerf* results);

    [LibraryImport(Library)]
    public static partial int cudnnFindConvolutionBackwardFilterAlgorithm(nint handle, nint x, nint dy, nint conv, nint dw,
        int requested, out int returned, ConvolutionPerf* results);

    [LibraryImport(Library)]
    public static partial int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint x, nint w, nint conv, nint y, int algorithm, out nuint bytes);

    [LibraryImport(Library)]
    public static partial int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint w, nint dy, nint conv, nint dx, int algorithm, out nuint bytes);

    [LibraryImport(Library)]
    public static partial int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint x, nint dy, nint conv, nint dw, int algorithm, out nuint bytes);

    [LibraryImport(Library)]
    public static partial int cudnnConvolutionForward(nint handle, void* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint conv,
        int algorithm, ulong workspace, nuint workspaceBytes, void* beta, nint yDesc, ulong y);

    [LibraryImport(Library)]
    public static partial int cudnnConvolutionBackwardData(nint handle, void* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy, nint conv,
        int algorithm, ulong workspace, nuint workspaceBytes, void* beta, nint dxDesc, ulong dx);

    [LibraryImport(Library)]
    public static partial int cudnnConvolutionBackwardFilter(nint handle, void* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy, nint conv,
        int algorithm, ulong workspace, nuint workspaceBytes, void* beta, nint dwDesc, ulong dw);
}
