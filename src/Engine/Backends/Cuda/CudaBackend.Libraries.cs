namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>cuBLAS workspace: set explicitly so GEMMs never allocate (required inside graph capture; Hopper wants 32 MiB).</summary>
    private const long CublasWorkspaceBytes = 32L << 20;

    private CublasHandle? _cublas;
    private CudnnHandle? _cudnn;

    /// <summary>The cuBLAS handle, bound to the stream with its own workspace (created on first GEMM).</summary>
    internal nint CublasHandle
    {
        get
        {
            if (_cublas is null)
            {
                Context.MakeCurrent();
                CudaLibraryLocator.Default.Load(CudaLibrary.Cublas);
                Cublas.Check(Cublas.cublasCreate(out var handle), "cublasCreate_v2");
                _cublas = new CublasHandle(Context.Handle, handle);
                Cublas.Check(Cublas.cublasSetStream(handle, Context.Stream), "cublasSetStream_v2");
                Cublas.Check(Cublas.cublasSetMathMode(handle, Cublas.MathDefault), "cublasSetMathMode");
                var storage = AllocateStorage(DType.F32, CublasWorkspaceBytes / 4, null);
                _cublasWorkspaceStorage = storage;
                Cublas.Check(Cublas.cublasSetWorkspace_v2(handle, storage.Pointer, (nuint)CublasWorkspaceBytes), "cublasSetWorkspace_v2");
            }
            return _cublas.DangerousGetHandle();
        }
    }

    private CudaStorage? _cublasWorkspaceStorage;
    private CudaStorage? _convolutionWorkspaceStorage;

    /// <summary>The cuDNN handle bound to the stream (created on first convolution).</summary>
    internal nint CudnnHandle
    {
        get
        {
            if (_cudnn is null)
            {
                Context.MakeCurrent();
                // cuDNN 9 needs cuBLASLt; load cuBLAS (which brings cuBLASLt from the same folder) first
                CudaLibraryLocator.Default.Load(CudaLibrary.Cublas);
                CudaLibraryLocator.Default.Load(CudaLibrary.Cudnn);
                Cudnn.Check(Cudnn.cudnnCreate(out var handle), "cudnnCreate");
                _cudnn = new CudnnHandle(Context.Handle, handle);
                Cudnn.Check(Cudnn.cudnnSetStream(handle, Context.Stream), "cudnnSetStream");
            }
            return _cudnn.DangerousGetHandle();
        }
    }

    /// <summary>A convolution workspace of at least <paramref name="bytes"/> (grown on demand, kept afterwards).</summary>
    internal ulong ConvolutionWorkspace(long bytes)
    {
        if (bytes <= 0)
        {
            return 0;
        }
        if (_convolutionWorkspaceStorage is null || _convolutionWorkspaceStorage.Bytes < bytes)
        {
            // a live CUDA graph may use the old workspace at its next replay: it frees the buffer when disposed
            if (_convolutionWorkspaceStorage is { GraphHolds: 0 })
            {
                Synchronize();
                _convolutionWorkspaceStorage.Free();
            }
            _convolutionWorkspaceStorage = AllocateStorage(DType.F32, (bytes + 3) / 4, null);
        }
        return _convolutionWorkspaceStorage.Pointer;
    }

    /// <summary>The convolution workspace now in use (a graph capture holds it: its nodes point into it).</summary>
    internal CudaStorage? CurrentConvolutionWorkspace => _convolutionWorkspaceStorage;

    private void DisposeLibraries()
    {
        foreach (var plan in _convolutionPlans.Values)
        {
            plan.Dispose();
        }
        _convolutionPlans.Clear();
        _cudnn?.Dispose();
        _cublas?.Dispose();
        _cublasWorkspaceStorage?.Free();
        _convolutionWorkspaceStorage?.Free();
    }
}
