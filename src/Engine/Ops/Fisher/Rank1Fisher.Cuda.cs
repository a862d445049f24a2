namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    private const int MaxDirectionsPerLaunch = 16;

    public double Rank1PenaltyGradient(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda)
    {
        var k = rho.Length;
        using var work = Rank1Coefficients(param, directions, rho, anchors, lambda, null);
        if (k > 0 && param.Numel > 0)
        {
            long p = param.Numel;
            ulong pg = Ptr(grad), pu = Ptr(directions), pc = work.Pointer;
            void** args = stackalloc void*[] { &pg, &pu, &k, &p, &pc };
            Launch("fisher", "rank1_penalty_gradient", param.DType, p, args);
        }
        Span<double> penalty = stackalloc double[1];
        DownloadDoubles(work.Pointer + (ulong)(k * sizeof(double)), penalty);
        return penalty[0];
    }

    public void Rank1FisherAdam(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda, AdamStep step, Tensor? penalty = null)
    {
        RefuseBf16(param, "fisher.rank1_fisher_adam");
        var k = rho.Length;
        using var work = Rank1Coefficients(param, directions, rho, anchors, lambda, penalty);
        long n = param.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pp = Ptr(param), pg = Ptr(grad), pm = Ptr(m), pv = Ptr(v), pu = Ptr(directions), pc = work.Pointer;
        if (param.DType == DType.F32)
        {
            var s = AdamScalars<float>.From(step);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &pu, &k, &n, &pc, &s.Beta1, &s.Beta2, &s.LearningRate, &s.Epsilon, &s.WeightDecay, &s.Correction1, &s.SqrtCorrection2 };
            Launch("fisher", "rank1_fisher_adam", DType.F32, n, args);
        }
        else
        {
            var s = AdamScalars<double>.From(step);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &pu, &k, &n, &pc, &s.Beta1, &s.Beta2, &s.LearningRate, &s.Epsilon, &s.WeightDecay, &s.Correction1, &s.SqrtCorrection2 };
            Launch("fisher", "rank1_fisher_adam", DType.F64, n, args);
        }
    }

    /// <summary>
    /// Queues the k dot products u_i·θ (two-level, double) and the coefficients λ ρ_i (d_i − b_i); returns a scratch
    /// buffer holding [c_0 … c_{k−1}, penalty, …]. Nothing waits for the device.
    /// </summary>
    private ScratchBuffer Rank1Coefficients(Tensor param, Tensor directions, double[] rho, double[] anchors, double lambda, Tensor? penaltyOut)
    {
        var k = rho.Length;
        long p = param.Numel;
        var chunks = (int)Math.Max(1, (p + DotChunk - 1) / DotChunk);
        // layout: coef[k] | penalty[1] | dots[k] | rho[k] anchors[k] | partial[k·chunks]
        var work = Scratch(DType.F64, k + 1 + k + 2 * k + (long)k * chunks);
        var pc = work.Pointer;
        var ppen = pc + (ulong)(k * sizeof(double));
        var pdots = ppen + sizeof(double);
        var prho = pdots + (ulong)(k * sizeof(double));
        var ppart = prho + (ulong)(2 * k * sizeof(double));
        if (k > 0)
        {
            var host = new double[2 * k];
            rho.CopyTo(host, 0);
            anchors.CopyTo(host, k);
            UploadDoubles(host, prho);
            ulong pt = Ptr(param), pu = Ptr(directions), pu0 = 0, ppart0 = 0;
            var count = 0;
            void** args = stackalloc void*[] { &pt, &pu0, &count, &p, &ppart0 };
            for (var first = 0; first < k; first += MaxDirectionsPerLaunch)
            {
                count = Math.Min(MaxDirectionsPerLaunch, k - first);
                pu0 = pu + (ulong)(first * p * param.DType.SizeOf());
                ppart0 = ppart + (ulong)((long)first * chunks * sizeof(double));
                Launch("fisher", "multi_dot_partial", param.DType, (uint)chunks, 1, 256, 0, args);
            }
            void** sargs = stackalloc void*[] { &ppart, &chunks, &pdots };
            Launch("fisher", "fisher_sum_partials", null, (uint)k, 1, 1024, 0, sargs);
        }
        var pout = Ptr(penaltyOut);
        void** cargs = stackalloc void*[] { &pdots, &prho, &lambda, &k, &pc, &ppen, &pout };
        Launch("fisher", "rank1_coefficients", param.DType, 1, 1, 32, 0, cargs);
        return work;
    }
}
