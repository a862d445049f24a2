namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Cast(Tensor source, Tensor destination)
    {
        switch (source.DType, destination.DType)
        {
            case (DType.F32, DType.F64):
                CopyToHost<double>(source, Data<double>(destination));
                break;
            case (DType.F64, DType.F32):
                CopyToHost<float>(source, Data<float>(destination));
                break;
            case (DType.F32, DType.BF16):
                CpuParallel.For((int)source.Numel, 16384, (s, e) => BFloat16.FromFloats(Data<float>(source)[s..e], Data<ushort>(destination)[s..e]));
                break;
            case (DType.BF16, DType.F32):
                CpuParallel.For((int)source.Numel, 16384, (s, e) => BFloat16.ToFloats(Data<ushort>(source)[s..e], Data<float>(destination)[s..e]));
                break;
            default:
                Ops.CheckCastable("Cast", source.DType, destination.DType);
                throw new ArgumentException($"Cast: {source.DType} → {destination.DType} is not a conversion");
        }
    }
}
