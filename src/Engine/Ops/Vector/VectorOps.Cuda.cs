namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    private const int DotChunk = 16384;

    public void Axpby(double alpha, Tensor x, double beta, Tensor y)
    {
        RefuseBf16(x, "vector.axpby");
        long n = x.Numel;
        if (n == 0)
        {
            return;
        }
        ulong px = Ptr(x), py = Ptr(y);
        if (x.DType == DType.F32)
        {
            float a = (float)alpha, b = (float)beta;
            void** args = stackalloc void*[] { &a, &px, &b, &py, &n };
            Launch("vector", "axpby", DType.F32, n, args);
        }
        else
        {
            void** args = stackalloc void*[] { &alpha, &px, &beta, &py, &n };
            Launch("vector", "axpby", DType.F64, n, args);
        }
    }

    /// <summary>Σ a_i b_i in double over fixed chunks, then the chunk sums in a fixed tree; waits for the result.</summary>
    public double Dot(Tensor a, Tensor b)
    {
        long n = a.Numel;
        var chunks = (int)Math.Max(1, (n + DotChunk - 1) / DotChunk);
        using var partial = Scratch(DType.F64, chunks + 1);
        ulong pa = Ptr(a), pb = Ptr(b), pp = partial.Pointer, presult = partial.Pointer + (ulong)(chunks * sizeof(double));
        void** args = stackalloc void*[] { &pa, &pb, &pp, &n };
        Launch("vector", "dot_partial", a.DType, (uint)chunks, 1, 256, 0, args);
        void** fargs = stackalloc void*[] { &pp, &chunks, &presult };
        Launch("vector", "sum_partials", null, 1, 1, 1024, 0, fargs);
        Span<double> result = stackalloc double[1];
        DownloadDoubles(presult, result);
        return result[0];
    }

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step)
    {
        RefuseBf16(param, "vector.adam");
        long n = param.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pp = Ptr(param), pg = Ptr(grad), pm = Ptr(m), pv = Ptr(v);
        if (param.DType == DType.F32)
        {
            var s = AdamScalars<float>.From(step);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &s.Beta1, &s.Beta2, &s.LearningRate, &s.Epsilon, &s.WeightDecay, &s.Correction1, &s.SqrtCorrection2 };
            Launch("vector", "adam", DType.F32, n, args);
        }
        else
        {
            var s = AdamScalars<double>.From(step);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &s.Beta1, &s.Beta2, &s.LearningRate, &s.Epsilon, &s.WeightDecay, &s.Correction1, &s.SqrtCorrection2 };
            Launch("vector", "adam", DType.F64, n, args);
        }
    }
}
