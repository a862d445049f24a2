namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Gradient edits of a training step that the eager path does with a host read in between, queued here without one
/// (so a CUDA graph can hold them), with the same numbers: clipping by global norm (the norm stays on the device)
/// and the rank-1 Fisher penalty gradient (its value is not read back).
/// </summary>
public sealed unsafe partial class CudaBackend
{
    /// <summary>
    /// <see cref="Optim.GradientClipping.ClipGlobalNorm"/> without reading the norm: the squared norm by the two-level
    /// dot product of <see cref="Dot"/>, then, on the device, g ← (maxNorm / (‖g‖ + 1e-6))·g when ‖g‖ is finite and
    /// above <paramref name="maxNorm"/>. <paramref name="norm"/> (one F64 element, optional) receives ‖g‖ before clipping.
    /// </summary>
    public void ClipGradientNormOnDevice(Tensor gradient, double maxNorm, Tensor? norm = null)
    {
        long n = gradient.Numel;
        if (n == 0)
        {
            return;
        }
        if (!gradient.IsContiguous)
        {
            throw new TensorOpException("ClipGradientNormOnDevice", $"gradient {gradient.Describe()} must be contiguous", "clip the flat gradient buffer of the ParameterStore");
        }
        var chunks = (int)Math.Max(1, (n + DotChunk - 1) / DotChunk);
        using var partial = Scratch(DType.F64, chunks + 1);
        ulong pg = Ptr(gradient), pp = partial.Pointer, presult = partial.Pointer + (ulong)(chunks * sizeof(double));
        void** args = stackalloc void*[] { &pg, &pg, &pp, &n };
        Launch("vector", "dot_partial", gradient.DType, (uint)chunks, 1, 256, 0, args);
        void** fargs = stackalloc void*[] { &pp, &chunks, &presult };
        Launch("vector", "sum_partials", null, 1, 1, 1024, 0, fargs);
        var pnorm = Ptr(norm);
        void** cargs = stackalloc void*[] { &pg, &n, &presult, &maxNorm, &pnorm };
        Launch("vector", "clip_by_norm", gradient.DType, n, cargs);
    }

    /// <summary>
    /// <see cref="Rank1PenaltyGradient"/> (grad += λ Σ ρ_i (u_i·θ − b_i) u_i) without reading the penalty back;
    /// <paramref name="penaltyValue"/> (one F64 element, optional) receives λ/2 Σ ρ_i (u_i·θ − b_i)² on the device.
    /// </summary>
    public void Rank1PenaltyGradientOnDevice(Tensor param, Tensor grad, Tensor directions, double[] rho, double[] anchors, double lambda, Tensor? penaltyValue = null)
    {
        var k = rho.Length;
        using var work = Rank1Coefficients(param, directions, rho, anchors, lambda, null);
        CopyPenaltyValue(work, k, penaltyValue);
        if (k > 0 && param.Numel > 0)
        {
            long p = param.Numel;
            ulong pg = Ptr(grad), pu = Ptr(directions), pc = work.Pointer;
            void** args = stackalloc void*[] { &pg, &pu, &k, &p, &pc };
            Launch("fisher", "rank1_penalty_gradient", param.DType, p, args);
        }
    }

    /// <summary>Queues the copy of the penalty (double, after the k coefficients in the work buffer) into <paramref name="destination"/>.</summary>
    private void CopyPenaltyValue(ScratchBuffer work, int k, Tensor? destination)
    {
        if (destination is null)
        {
            return;
        }
        if (destination.Numel != 1 || destination.DType != DType.F64)
        {
            throw new TensorOpException("Rank1Fisher", $"penalty value {destination.Describe()} must be one F64 element", "pass a one-element F64 tensor on this device");
        }
        CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync(Ptr(destination), work.Pointer + (ulong)(k * sizeof(double)), sizeof(double), Context.Stream), "cuMemcpyDtoDAsync_v2");
    }
}
