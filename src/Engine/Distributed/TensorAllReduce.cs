using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// All-reduce of a contiguous tensor (host or device) through any transport: a host tensor over its span, a device
/// tensor in place over NCCL, or through host memory over a host transport (MPI). Every rank must call it together
/// with an equally shaped tensor.
/// </summary>
public static class TensorAllReduce
{
    /// <summary>Replaces <paramref name="flat"/> on every rank by <paramref name="scale"/> × its element-wise sum over the ranks.</summary>
    public static void Sum(ICollective collective, Tensor flat, double scale = 1.0)
    {
        if (collective.Size == 1)
        {
            if (scale != 1.0)
            {
                throw new ArgumentException("a scaled all-reduce over one rank is not an all-reduce: scale only by 1/size", nameof(scale));
            }
            return;
        }
        if (!flat.IsContiguous)
        {
            throw new ArgumentException("an all-reduce needs a contiguous tensor (a flat buffer or a freshly allocated one)", nameof(flat));
        }
        switch (flat.Storage)
        {
            case CpuStorage cpu when flat.DType == DType.F32:
            {
                var span = cpu.Span<float>().Slice(checked((int)flat.Offset), checked((int)flat.Numel));
                collective.AllReduceSum(span);
                if (scale != 1.0)
                {
                    var s = (float)scale;
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] *= s;
                    }
                }
                break;
            }
            case CpuStorage cpu:
            {
                var span = cpu.Span<double>().Slice(checked((int)flat.Offset), checked((int)flat.Numel));
                collective.AllReduceSum(span);
                if (scale != 1.0)
                {
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] *= scale;
                    }
                }
                break;
            }
            case CudaStorage cuda when collective is NcclCollective nccl:
            {
                // untested: no GPU was available. ncclAvg is exactly the mean; other scales are applied after the sum
                var pointer = (nint)(cuda.Pointer + (ulong)(flat.Offset * flat.DType.SizeOf()));
                var average = Math.Abs(scale * collective.Size - 1.0) < 1e-15;
                nccl.AllReduceDevice(pointer, flat.Numel, flat.DType, average);
                if (!average && scale != 1.0)
                {
                    flat.CopyFrom(flat * scale);
                }
                break;
            }
            default:
            {
                // a GPU tensor over a host transport (MPI): through host memory
                var host = Tensor.ZerosUnscoped(flat.Shape.ToArray(), flat.DType, Device.Cpu);
                host.CopyFrom(flat);
                Sum(collective, host, scale);
                flat.CopyFrom(host);
                break;
            }
        }
    }
}
