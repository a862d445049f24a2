using System.Numerics;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The scalars of one Adam step rounded to the element type exactly as the CPU update rounds them, so the CUDA
/// kernels (which take them as arguments) compute bit-identical updates.
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
}
