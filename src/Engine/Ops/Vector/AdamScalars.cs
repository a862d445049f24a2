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

    /// <summary>
    /// <see cref="Apply"/> on whole SIMD vectors of [start, end), with the same operations in the same order (so the
    /// same results as the scalar loop); returns where the scalar remainder starts.
    /// </summary>
    public readonly int ApplyVectors(Span<T> p, Span<T> g, Span<T> m, Span<T> v, int start, int end)
    {
        var width = System.Numerics.Vector<T>.Count;
        var i = start;
        if (!System.Numerics.Vector.IsHardwareAccelerated)
        {
            return i;
        }
        var b1 = new System.Numerics.Vector<T>(Beta1);
        var b2 = new System.Numerics.Vector<T>(Beta2);
        var ob1 = new System.Numerics.Vector<T>(T.One - Beta1);
        var ob2 = new System.Numerics.Vector<T>(T.One - Beta2);
        var lr = new System.Numerics.Vector<T>(LearningRate);
        var eps = new System.Numerics.Vector<T>(Epsilon);
        var wd = new System.Numerics.Vector<T>(WeightDecay);
        var c1 = new System.Numerics.Vector<T>(Correction1);
        var c2 = new System.Numerics.Vector<T>(SqrtCorrection2);
        for (; i + width <= end; i += width)
        {
            var gi = new System.Numerics.Vector<T>(g.Slice(i, width));
            var pi = new System.Numerics.Vector<T>(p.Slice(i, width));
            var mi = b1 * new System.Numerics.Vector<T>(m.Slice(i, width)) + ob1 * gi;
            var vi = b2 * new System.Numerics.Vector<T>(v.Slice(i, width)) + ob2 * gi * gi;
            mi.CopyTo(m.Slice(i, width));
            vi.CopyTo(v.Slice(i, width));
            var denom = System.Numerics.Vector.SquareRoot(vi) / c2 + eps;
            (pi - lr * (mi / c1 / denom + wd * pi)).CopyTo(p.Slice(i, width));
        }
        return i;
    }
}
