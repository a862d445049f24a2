namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    public void GroupNormForward(Tensor x, Tensor? gamma, Tensor? beta, int groups, double eps, Tensor y, Tensor mean, Tensor rstd) =>
        GroupNormForwardVariant("groupnorm", x, gamma, beta, null, null, groups, eps, y, mean, rstd);

    public void GroupNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, bool accumulateParams) =>
        GroupNormBackwardVariant("groupnorm", x, dy, mean, rstd, gamma, null, null, null, groups, dx, accumulateDx, dgamma, dbeta, accumulateParams, null, null);

    /// <summary>Launches groupnorm / groupnorm_silu / groupnorm_film_silu forward: one block per (n, group).</summary>
    internal void GroupNormForwardVariant(string variant, Tensor x, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups, double eps,
        Tensor y, Tensor mean, Tensor rstd)
    {
        int n = x.Shape[0], channels = x.Shape[1];
        long spatial = x.Numel / Math.Max(1, (long)n * channels);
        var plan = GroupNormLaunchPlan.Forward(n, channels, groups, spatial, x.DType, KernelSharedMemory.GroupNormForward(x.DType), Info.MaxSharedMemoryPerBlockOptin);
        // bf16 storage computes in float32 (statistics, affine, FiLM): a float eps
        if (!plan.Launch)
        {
            return;
        }
        var cache = plan.Cache ? 1 : 0;
        var shared = plan.DynamicSharedBytes;
        var threads = plan.Threads;
        if (plan.RaiseDynamicLimit)
        {
            AllowSharedMemory("groupnorm", variant + "_forward", x.DType, (int)shared);
        }
        ulong px = Ptr(x), pg = Ptr(gamma), pb = Ptr(beta), ps = Ptr(scale), psh = Ptr(shift), py = Ptr(y), pm = Ptr(mean), pr = Ptr(rstd);
        if (x.DType is DType.F32 or DType.BF16)
        {
            var e = (float)eps;
            void** args = stackalloc void*[] { &px, &pg, &pb, &ps, &psh, &py, &pm, &pr, &channels, &groups, &spatial, &e, &cache };
            Launch("groupnorm", variant + "_forward", x.DType, plan.Blocks, 1, threads, shared, args);
        }
        else
        {
            void** args = stackalloc void*[] { &px, &pg, &pb, &ps, &psh, &py, &pm, &pr, &channels, &groups, &spatial, &eps, &cache };
            Launch("groupnorm", variant + "_forward", DType.F64, plan.Blocks, 1, threads, shared, args);
        }
    }

    /// <summary>
    /// Backward of a GroupNorm variant: one block per (n, group) writes dx, per-(n, c) partials of dgamma/dbeta
    /// (summed over n in order afterwards) and the FiLM gradients dscale/dshift (always accumulated).
    /// </summary>
    internal void GroupNormBackwardVariant(string variant, Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift,
        int groups, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, bool accumulateParams, Tensor? dscale, Tensor? dshift)
    {
        int n = x.Shape[0], channels = x.Shape[1];
        long spatial = x.Numel / Math.Max(1, (long)n * channels);
        var math = GroupNormLaunchPlan.MathType(x.DType);
        var plan = GroupNormLaunchPlan.Backward(n, channels, groups, spatial, math, KernelSharedMemory.GroupNormBackward, Info.MaxSharedMemoryPerBlockOptin);
        if (!plan.Launch)
        {
            // a zero-size dimension: dx is empty, the FiLM gradients get nothing added, and dgamma, dbeta (sums over
            // no elements) are zero; the partial buffers would never be written, so they must not be summed
            if (!accumulateParams)
            {
                if (dgamma is not null)
                {
                    Fill(dgamma, 0);
                }
                if (dbeta is not null)
                {
                    Fill(dbeta, 0);
                }
            }
            return;
        }
        var nc = (long)n * channels;
        using var partialGamma = Scratch(math, dgamma is null ? 1 : nc);
        using var partialBeta = Scratch(math, dbeta is null ? 1 : nc);
        ulong px = Ptr(x), pdy = Ptr(dy), pm = Ptr(mean), pr = Ptr(rstd), pg = Ptr(gamma), pb = Ptr(beta), ps = Ptr(scale), psh = Ptr(shift);
        ulong pdx = Ptr(dx), pdg = dgamma is null ? 0 : partialGamma.Pointer, pdb = dbeta is null ? 0 : partialBeta.Pointer;
        ulong pds = Ptr(dscale), pdsh = Ptr(dshift);
        var acc = accumulateDx ? 1 : 0;
        void** args = stackalloc void*[] { &px, &pdy, &pm, &pr, &pg, &pb, &ps, &psh, &pdx, &acc, &pdg, &pdb, &pds, &pdsh, &channels, &groups, &spatial };
        if (plan.RaiseDynamicLimit)
        {
            AllowSharedMemory("groupnorm", variant + "_backward", x.DType, (int)plan.DynamicSharedBytes);
        }
        Launch("groupnorm", variant + "_backward", x.DType, plan.Blocks, 1, plan.Threads, plan.DynamicSharedBytes, args);
        if (dgamma is not null)
        {
            SumRows(pdg, dgamma, channels, n, accumulateParams);
        }
        if (dbeta is not null)
        {
            SumRows(pdb, dbeta, channels, n, accumulateParams);
        }
    }
}
