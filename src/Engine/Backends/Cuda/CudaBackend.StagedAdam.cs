using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Adam (and the fused rank-1 Fisher penalty + Adam) whose step-dependent scalars — the learning rate and the bias
/// corrections c1 = 1 − β1^t and √c2 — are read from a three-element device tensor instead of kernel arguments, so a
/// CUDA graph that captured the update once applies step t's values at every replay. The numbers are those of
/// <see cref="AdamUpdate"/> and <see cref="Rank1FisherAdam"/>: <see cref="WriteStagedAdamScalars"/> rounds the
/// scalars to the element type exactly as those do.
/// </summary>
public sealed unsafe partial class CudaBackend
{
    /// <summary>Elements of the staged scalars tensor: lr, c1, √c2 (in the parameters' dtype).</summary>
    public const int StagedAdamScalarCount = 3;

    /// <summary>Writes step <paramref name="step"/>'s lr, c1 and √c2, rounded to <paramref name="dtype"/>, as raw bytes.</summary>
    public static void WriteStagedAdamScalars(AdamStep step, DType dtype, Span<byte> destination)
    {
        if (dtype == DType.F32)
        {
            var s = AdamScalars<float>.From(step);
            var d = MemoryMarshal.Cast<byte, float>(destination);
            (d[0], d[1], d[2]) = (s.LearningRate, s.Correction1, s.SqrtCorrection2);
        }
        else
        {
            var s = AdamScalars<double>.From(step);
            var d = MemoryMarshal.Cast<byte, double>(destination);
            (d[0], d[1], d[2]) = (s.LearningRate, s.Correction1, s.SqrtCorrection2);
        }
    }

    /// <summary>The Adam update with β1, β2, ε and weight decay from <paramref name="constants"/> and lr, c1, √c2 from <paramref name="scalars"/>.</summary>
    public void AdamUpdateStaged(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep constants, Tensor scalars)
    {
        CheckStagedScalars(param, scalars);
        long n = param.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pp = Ptr(param), pg = Ptr(grad), pm = Ptr(m), pv = Ptr(v), ps = Ptr(scalars);
        if (param.DType == DType.F32)
        {
            var s = AdamScalars<float>.From(constants);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &s.Beta1, &s.Beta2, &s.Epsilon, &s.WeightDecay, &ps };
            Launch("vector", "adam_staged", DType.F32, n, args);
        }
        else
        {
            var s = AdamScalars<double>.From(constants);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &s.Beta1, &s.Beta2, &s.Epsilon, &s.WeightDecay, &ps };
            Launch("vector", "adam_staged", DType.F64, n, args);
        }
    }

    /// <summary>
    /// <see cref="Rank1FisherAdam"/> with lr, c1, √c2 from <paramref name="scalars"/>; the penalty's ρ and anchors are
    /// constants of the task (uploaded once per call, page-locked for the graph's lifetime inside a capture).
    /// </summary>
    /// <param name="penaltyValue">One F64 element that receives λ/2 Σ ρ_i (u_i·θ − b_i)² on the device (optional).</param>
    public void Rank1FisherAdamStaged(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor directions, double[] rho, double[] anchors, double lambda,
        AdamStep constants, Tensor scalars, Tensor? penaltyValue = null)
    {
        CheckStagedScalars(param, scalars);
        var k = rho.Length;
        using var work = Rank1Coefficients(param, directions, rho, anchors, lambda, null);
        CopyPenaltyValue(work, k, penaltyValue);
        long n = param.Numel;
        if (n == 0)
        {
            return;
        }
        ulong pp = Ptr(param), pg = Ptr(grad), pm = Ptr(m), pv = Ptr(v), pu = Ptr(directions), pc = work.Pointer, ps = Ptr(scalars);
        if (param.DType == DType.F32)
        {
            var s = AdamScalars<float>.From(constants);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &pu, &k, &n, &pc, &s.Beta1, &s.Beta2, &s.Epsilon, &s.WeightDecay, &ps };
            Launch("fisher", "rank1_fisher_adam_staged", DType.F32, n, args);
        }
        else
        {
            var s = AdamScalars<double>.From(constants);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &pu, &k, &n, &pc, &s.Beta1, &s.Beta2, &s.Epsilon, &s.WeightDecay, &ps };
            Launch("fisher", "rank1_fisher_adam_staged", DType.F64, n, args);
        }
    }

    private static void CheckStagedScalars(Tensor param, Tensor scalars)
    {
        if (scalars.Numel != StagedAdamScalarCount || scalars.DType != param.DType || !scalars.IsContiguous || scalars.Device != param.Device)
        {
            throw new TensorOpException("AdamUpdateStaged", $"staged scalars {scalars.Describe()} must be {StagedAdamScalarCount} contiguous {param.DType} elements on {param.Device}",
                "stage lr, c1 and √c2 with CudaBackend.WriteStagedAdamScalars into a [3] tensor of the parameters' dtype");
        }
    }
}
