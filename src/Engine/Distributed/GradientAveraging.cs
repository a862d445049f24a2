using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// Data-parallel gradient averaging: after every rank has back-propagated the mean loss of its equal shard of the
/// batch into the flat gradient buffer, the buffer becomes the mean over ranks — the gradient of the mean loss over
/// the whole batch — on every rank, before the optimizer step.
/// </summary>
public static class GradientAveraging
{
    /// <summary>Replaces the contiguous tensor <paramref name="flat"/> on every rank by its mean over the ranks.</summary>
    public static void AllReduceMean(ICollective collective, Tensor flat)
    {
        if (collective.Size == 1)
        {
            return;
        }
        if (!flat.IsContiguous)
        {
            throw new ArgumentException("gradient averaging needs a contiguous buffer (the parameter store's flat gradient)");
        }
        var scale = 1.0 / collective.Size;
        switch (flat.Storage)
        {
            case CpuStorage cpu when flat.DType == DType.F32:
            {
                var span = cpu.Span<float>().Slice(checked((int)flat.Offset), checked((int)flat.Numel));
                collective.AllReduceSum(span);
                var s = (float)scale;
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] *= s;
                }
                break;
            }
            case CpuStorage cpu:
            {
                var span = cpu.Span<double>().Slice(checked((int)flat.Offset), checked((int)flat.Numel));
                collective.AllReduceSum(span);
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] *= scale;
                }
                break;
            }
            case CudaStorage cuda when collective is NcclCollective nccl:
                // untested: no GPU was available
                nccl.AllReduceDevice((nint)(cuda.Pointer + (ulong)(flat.Offset * flat.DType.SizeOf())), flat.Numel, flat.DType, average: true);
                break;
            default:
            {
                // a GPU buffer over a host transport (MPI): through host memory
                var host = Tensor.ZerosUnscoped(flat.Shape.ToArray(), flat.DType, Device.Cpu);
                host.CopyFrom(flat);
                AllReduceMean(collective, host);
                flat.CopyFrom(host);
                break;
            }
        }
    }
}
