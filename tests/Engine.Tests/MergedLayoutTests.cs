using FsCheck;
using FsCheck.Fluent;
using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// Properties of the layout merging shared by the CPU's strided runs and the CUDA kernels' strided layout: the
/// merged layout (and the CPU's run walk built on it) addresses exactly the element offsets of the unmerged one, in
/// the same order, for random shapes (with size-1 and size-0 dimensions) and operands that are row-major, permuted,
/// padded (sliced) or broadcast.
/// </summary>
public sealed class MergedLayoutTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300).WithReplay(new Replay(new Rnd(20261206UL), null));

    private sealed record Case(int[] Shape, int[][] Strides, long[] Offsets, bool AllRowMajor);

    private static Gen<int[]> OperandStrides(int[] shape) =>
        from permuted in Gen.Elements(false, false, true)
        from keys in Gen.Choose(0, 1000).ArrayOf(shape.Length)
        from pads in Gen.Elements(0, 0, 0, 1, 2).ArrayOf(shape.Length)
        from broadcast in Gen.Elements(false, false, false, false, true).ArrayOf(shape.Length)
        select ViewStrides(shape, permuted ? keys : Enumerable.Range(0, shape.Length).ToArray(), pads, broadcast);

    /// <summary>Strides of a view of a row-major parent buffer whose dimension d has size shape[d] + pad[d], laid out in the order of the keys, with broadcast dimensions at stride 0.</summary>
    private static int[] ViewStrides(int[] shape, int[] keys, int[] pads, bool[] broadcast)
    {
        var strides = new int[shape.Length];
        var stride = 1;
        foreach (var d in Enumerable.Range(0, shape.Length).OrderByDescending(d => keys[d]).ThenByDescending(d => d))
        {
            strides[d] = broadcast[d] ? 0 : stride;
            stride *= broadcast[d] ? 1 : shape[d] + pads[d];
        }
        return strides;
    }

    private static readonly Gen<Case> Cases =
        from rank in Gen.Choose(0, 5)
        from shape in Gen.Elements(0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 2).ArrayOf(rank)
        from operands in Gen.Choose(1, 3)
        from strides in OperandStrides(shape).ArrayOf(operands)
        from offsets in Gen.Choose(0, 50).ArrayOf(operands)
        select new Case(shape, strides, offsets.Select(o => (long)o).ToArray(),
            strides.All(s => s.SequenceEqual(ViewStrides(shape, Enumerable.Range(0, shape.Length).ToArray(), new int[shape.Length], new bool[shape.Length]))));

    /// <summary>Every operand's element offset at each index of <paramref name="shape"/>, row-major order (the unmerged reference).</summary>
    private static List<long[]> Addresses(int[] shape, Func<int, int, long> stride, long[] offsets)
    {
        var result = new List<long[]>();
        if (shape.Any(s => s == 0))
        {
            return result;
        }
        var index = new int[shape.Length];
        while (true)
        {
            var at = new long[offsets.Length];
            for (var k = 0; k < offsets.Length; k++)
            {
                at[k] = offsets[k];
                for (var d = 0; d < shape.Length; d++)
                {
                    at[k] += index[d] * stride(k, d);
                }
            }
            result.Add(at);
            var dim = shape.Length - 1;
            while (dim >= 0 && ++index[dim] == shape[dim])
            {
                index[dim--] = 0;
            }
            if (dim < 0)
            {
                return result;
            }
        }
    }

    private static bool Same(List<long[]> a, List<long[]> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.SequenceEqual(p.Second));

    [Fact]
    public void MergedLayoutAddressesTheSameOffsetsInTheSameOrder()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var merged = MergedLayout.Of(c.Shape, c.Strides);
            var expected = Addresses(c.Shape, (k, d) => c.Strides[k][d], c.Offsets);
            var actual = Addresses(merged.Shape, (k, d) => merged.Strides[k][d], c.Offsets);
            var shorter = merged.Rank <= c.Shape.Count(s => s != 1) && !merged.Shape.Contains(1);
            // operands that are all row-major and unpadded collapse to a single dimension
            var collapses = !c.AllRowMajor || merged.Rank <= 1;
            return Same(expected, actual) && shorter && collapses;
        }).Check(Config);
    }

    [Fact]
    public void CpuStridedRunsWalkTheSameOffsetsInTheSameOrder()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var expected = Addresses(c.Shape, (k, d) => c.Strides[k][d], c.Offsets);
            var runs = new StridedRuns(c.Shape, c.Strides.Select((s, k) => (c.Offsets[k], s)).ToArray());
            var actual = new List<long[]>();
            var start = new long[runs.Operands];
            for (var outer = 0; outer < runs.OuterCount; outer++)
            {
                runs.Start(outer, start);
                for (var i = 0; i < runs.InnerLength; i++)
                {
                    actual.Add(start.Select((o, k) => o + (long)i * runs.InnerStrides[k]).ToArray());
                }
            }
            return Same(expected, actual);
        }).Check(Config);
    }

    [Fact]
    public void ContiguousAndTransposedOperandsMergeAsExpected()
    {
        // [2,3,4] row-major against a view whose last two dims are swapped: no pair of dims is contiguous in both, nothing merges
        var transposed = MergedLayout.Of([2, 3, 4], [12, 4, 1], [12, 1, 3]);
        Assert.Equal([2, 3, 4], transposed.Shape);
        // both row-major: one run of 24 with stride 1
        var contiguous = MergedLayout.Of([2, 1, 3, 4], [12, 12, 4, 1], [12, 12, 4, 1]);
        Assert.Equal([24], contiguous.Shape);
        Assert.Equal([1L], contiguous.Strides[0]);
        // a column slice of a [3,5] buffer ([3,2] view, strides [5,1]) merges nothing; broadcasting the rows of a [4] vector keeps 2 dims
        Assert.Equal([3, 2], MergedLayout.Of([3, 2], [5, 1]).Shape);
        var broadcast = MergedLayout.Of([3, 4], [4, 1], [0, 1]);
        Assert.Equal([3, 4], broadcast.Shape);
        Assert.Equal([0L, 1L], broadcast.Strides[1]);
    }
}
