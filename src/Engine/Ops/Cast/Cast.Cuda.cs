namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void Cast(Tensor source, Tensor destination)
    {
        Ops.CheckCastable("Cast", source.DType, destination.DType);
        if (source.Numel == 0)
        {
            return;
        }
        var kernel = (source.DType, destination.DType) switch
        {
            (DType.F32, DType.F64) => "cast_f32_to_f64",
            (DType.F64, DType.F32) => "cast_f64_to_f32",
            (DType.F32, DType.BF16) => "cast_f32_to_bf16",
            (DType.BF16, DType.F32) => "cast_bf16_to_f32",
            _ => throw new ArgumentException($"Cast: {source.DType} → {destination.DType} is not a conversion"),
        };
        ulong src = Ptr(source), dst = Ptr(destination);
        long n = source.Numel;
        void** args = stackalloc void*[] { &src, &dst, &n };
        Launch("copy", kernel, null, n, args);
    }
}
