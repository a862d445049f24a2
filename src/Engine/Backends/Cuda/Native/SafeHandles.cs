using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Owners of native CUDA objects. Release may run on the finalizer thread, where no context is current, so each
/// handle remembers its context and makes it current first (cuCtxSetCurrent is per thread and cheap).
/// Errors on release are ignored: there is nobody to report them to, and a dead context frees everything anyway.
/// </summary>
internal abstract class CudaContextBoundHandle : SafeHandle
{
    protected CudaContextBoundHandle(nint context, nint handle)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Context = context;
        SetHandle(handle);
    }

    public nint Context { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        if (Context != 0)
        {
            CudaDriver.cuCtxSetCurrent(Context);
        }
        Release(handle);
        return true;
    }

    protected abstract void Release(nint value);
}

/// <summary>A device allocation made with cuMemAlloc_v2.</summary>
internal sealed class DeviceAllocation : CudaContextBoundHandle
{
    public DeviceAllocation(nint context, ulong pointer, long bytes)
        : base(context, (nint)pointer)
    {
        Bytes = bytes;
    }

    public ulong Pointer => (ulong)handle;

    public long Bytes { get; }

    protected override void Release(nint value) => CudaDriver.cuMemFree((ulong)value);
}

/// <summary>Page-locked host memory from cuMemHostAlloc (staging for asynchronous copies).</summary>
internal sealed class PinnedHostAllocation : CudaContextBoundHandle
{
    public PinnedHostAllocation(nint context, nint pointer, long bytes)
        : base(context, pointer)
    {
        Bytes = bytes;
    }

    public long Bytes { get; }

    protected override void Release(nint value) => CudaDriver.cuMemFreeHost(value);
}

internal sealed class CudaStreamHandle(nint context, nint stream) : CudaContextBoundHandle(context, stream)
{
    protected override void Release(nint value) => CudaDriver.cuStreamDestroy(value);
}

internal sealed class CudaEventHandle(nint context, nint cudaEvent) : CudaContextBoundHandle(context, cudaEvent)
{
    protected override void Release(nint value) => CudaDriver.cuEventDestroy(value);
}

internal sealed class CudaModuleHandle(nint context, nint module) : CudaContextBoundHandle(context, module)
{
    protected override void Release(nint value) => CudaDriver.cuModuleUnload(value);
}

internal sealed class CudaGraphHandle(nint context, nint graph) : CudaContextBoundHandle(context, graph)
{
    protected override void Release(nint value) => CudaDriver.cuGraphDestroy(value);
}

internal sealed class CudaGraphExecHandle(nint context, nint exec) : CudaContextBoundHandle(context, exec)
{
    protected override void Release(nint value) => CudaDriver.cuGraphExecDestroy(value);
}

internal sealed class CublasHandle(nint context, nint cublas) : CudaContextBoundHandle(context, cublas)
{
    protected override void Release(nint value) => Cublas.cublasDestroy(value);
}

internal sealed class CudnnHandle(nint context, nint cudnn) : CudaContextBoundHandle(context, cudnn)
{
    protected override void Release(nint value) => Cudnn.cudnnDestroy(value);
}

internal sealed class CudnnTensorDescriptor(nint descriptor) : CudaContextBoundHandle(0, descriptor)
{
    protected override void Release(nint value) => Cudnn.cudnnDestroyTensorDescriptor(value);
}

internal sealed class CudnnFilterDescriptor(nint descriptor) : CudaContextBoundHandle(0, descriptor)
{
    protected override void Release(nint value) => Cudnn.cudnnDestroyFilterDescriptor(value);
}

internal sealed class CudnnConvolutionDescriptor(nint descriptor) : CudaContextBoundHandle(0, descriptor)
{
    protected override void Release(nint value) => Cudnn.cudnnDestroyConvolutionDescriptor(value);
}
