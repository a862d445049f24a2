using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>One input of an <see cref="OpCase"/>: a shape filled with N(0, scale²) + shift drawn from a generator seeded with <paramref name="Seed"/>.</summary>
public sealed record OpInput(int[] Shape, ulong Seed, double Scale = 1, double Shift = 0)
{
    /// <summary>
    /// The input as a CPU tensor of <paramref name="dtype"/>. Values within 1e-3 of a point in <paramref name="awayFrom"/>
    /// (where the op has a kink and central differences are not the derivative) are moved 0.25 above it.
    /// </summary>
    public Tensor Create(DType dtype, IReadOnlyList<double> awayFrom)
    {
        if (dtype == DType.F32 && awayFrom.Count == 0)
        {
            var t = Tensor.Randn(Shape, new Generator(Seed));
            return Scale == 1 && Shift == 0 ? t : Ops.Affine(t, Scale, Shift);
        }
        var values = (dtype == DType.F32 ? Tensor.Randn(Shape, new Generator(Seed)) : Tensor.Randn(Shape, new Generator(Seed), DType.F64))
            .ToDoubleArray().Select(v => Kept(v * Scale + Shift, awayFrom)).ToArray();
        return dtype == DType.F32 ? Tensor.FromArray(values.Select(v => (float)v).ToArray(), Shape) : Tensor.FromArray(values, Shape);
    }

    private static double Kept(double v, IReadOnlyList<double> awayFrom)
    {
        foreach (var kink in awayFrom)
        {
            if (Math.Abs(v - kink) < 1e-3)
            {
                return kink + 0.25;
            }
        }
        return v;
    }

    public override string ToString() => TensorOpException.Format(Shape);
}
