using System.Numerics;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The scalars of one Adam step rounded to the element type, and the per-element update rule. The CPU update
/// and the fused rank-1 Fisher step both call <see cref="Apply"/>; the CUDA kernels take these scalars as
/// arguments and perform the same operations in the same order without fused multiply-adds (bit-identical).
/// </summary>
internal struct AdamScalars<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Beta1;
    public T Beta2;
    public T LearningRate;
    public T Epsilon;
    public T WeightDecay;
    public T Correction1;
    public T SqrtCorrection2;

    public static AdamScalars<T> From(AdamStep step) => new()
    {
        Beta1 = T.CreateTruncating(step.Beta1),
        Beta2 = T.CreateTruncating(step.Beta2),
        LearningRate = T.CreateTruncating(step.LearningRate),
        Epsilon = T.CreateTruncating(step.Epsilon),
        WeightDecay = T.CreateTruncating(step.WeightDecay),
        Correction1 = T.CreateTruncating(step.BiasCorrection1),
        SqrtCorrection2 = T.Sqrt(T.CreateTruncating(step.BiasCorrection2)),
    };

    /// <summary>m ← b1·m + (1−b1)·g; v ← b2·v + (1−b2)·g·g; p ← p − lr·(m/c1/(√v/√c2 + eps) + wd·p).</summary>
    public readonly void Apply(ref T p, T g, ref T m, ref T v)
    {
        var mi = Beta1 * m + (T.One - Beta1) * g;
        var vi = Beta2 * v + (T.One - Beta2) * g * g;
        m = mi;
        v = vi;
        var denom = T.Sqrt(vi) / SqrtCorrection2 + Epsilon;
        p -= LearningRate * (mi / Correction1 / denom + WeightDecay * p);
    }
}
