namespace NativeTrustRegion.Engine;

/// <summary>Sums and means over axes (kept or dropped), whole-tensor sums, the long sums of a bias gradient.</summary>
internal sealed class ReductionCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        int[][] axes = [[0], [1], [2], [0, 2], [0, 1, 2]];
        foreach (var a in axes)
        {
            yield return OpCase.Autograd("Reduction/Sum", $"sum axes [{string.Join(",", a)}] of [64,33,130]", t => Ops.Sum(t[0], a, keepDim: true),
                new([64, 33, 130], 40)) with { Checks = OpChecks.Parity, Tolerance = a.Length == 3 ? OpTolerance.LongSum : OpTolerance.Float32 };
        }
        yield return OpCase.Autograd("Reduction/Sum", "sum all of 2M", t => Ops.SumAll(t[0]), new([2048, 1024], 41)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.LongSum };
        yield return OpCase.Autograd("Reduction/Sum", "sum axes [0,1,2] of [64,33,130], mean 1", t => Ops.Sum(t[0], [0, 1, 2], keepDim: true),
            new([64, 33, 130], 40, 1, 1)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.LongSum };
        yield return OpCase.Autograd("Reduction/Sum", "sum all of 2M, mean 1", t => Ops.SumAll(t[0]), new([2048, 1024], 41, 1, 1)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.LongSum };
        yield return OpCase.Autograd("Reduction/Sum", "bias-gradient column sum [16384,256]", t => Ops.Sum(t[0], [0]), new([16384, 256], 42))
            with { Checks = OpChecks.Parity | OpChecks.Benchmark };

        // small shapes with size-1 dims for the gradient check
        (int[] Shape, int[] Axes, bool Keep)[] small = [([3, 1, 4, 2], [0, 2], true), ([2, 3, 1, 4], [1], false), ([4, 2, 3, 1], [0, 1, 2, 3], true), ([1, 3, 2, 2], [3], false)];
        for (var i = 0; i < small.Length; i++)
        {
            var (shape, ax, keep) = small[i];
            var label = $"axes [{string.Join(",", ax)}] of [{string.Join(",", shape)}]";
            yield return OpCase.Autograd("Reduction/Sum", $"sum {label}{(keep ? " keepdim" : "")}", t => Ops.Sum(t[0], ax, keepDim: keep), new(shape, 1040 + (ulong)i));
            yield return OpCase.Autograd("Reduction/Sum", $"mean {label}", t => Ops.Mean(t[0], ax), new(shape, 1050 + (ulong)i));
        }
        yield return OpCase.Autograd("Reduction/Sum", "sum all [3,4]", t => Ops.SumAll(t[0]), new([3, 4], 1060));
        yield return OpCase.Autograd("Reduction/Sum", "mean all [3,4]", t => Ops.MeanAll(t[0]), new([3, 4], 1061));
    }
}
