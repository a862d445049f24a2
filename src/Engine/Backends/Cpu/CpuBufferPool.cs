namespace NativeTrustRegion.Engine.Backends.Cpu;

internal sealed class CpuBufferPool : BufferPool
{
    protected override Storage AllocateFresh(DType dtype, long length) => new CpuStorage(dtype, length);
}
