using FsCheck;
using FsCheck.Fluent;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>FsCheck properties of broadcasting and views against a naive index-by-index reference.</summary>
public class PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(150).WithReplay(new Replay(new Rnd(20261121UL), null));

    private static Gen<int[]> ShapeGen(int rank) =>
        Gen.Choose(1, 4).ArrayOf(rank);

    private static double[] Values(int[] shape, ulong seed) =>
        Tensor.Randn(shape, new Generator(seed), DType.F64).ToDoubleArray();

    private static int Index(int[] shape, int[] idx)
    {
        var flat = 0;
        for (var i = 0; i < shape.Length; i++)
        {
            flat = flat * shape[i] + idx[i];
        }
        return flat;
    }

    private static IEnumerable<int[]> AllIndices(int[] shape)
    {
        var total = (int)Shape.Numel(shape);
        for (var f = 0; f < total; f++)
        {
            var idx = new int[shape.Length];
            var r = f;
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                idx[d] = r % shape[d];
                r /= shape[d];
            }
            yield return idx;
        }
    }

    [Fact]
    public void BroadcastMatchesNaiveIndexing()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in ShapeGen(rank)
            from drop in Gen.Choose(0, rank - 1)
            from ones in Gen.Choose(0, 1).ArrayOf(rank - drop)
            select (shape, other: shape.Skip(drop).Select((d, i) => ones[i] == 1 ? 1 : d).ToArray());
        Prop.ForAll(gen.ToArbitrary(), pair =>
        {
            var (shape, other) = pair;
            var av = Values(shape, 1);
            var bv = Values(other, 2);
            var sum = (Tensor.FromArray(av, shape) * Tensor.FromArray(bv, other)).ToDoubleArray();
            foreach (var idx in AllIndices(shape))
            {
                var lead = shape.Length - other.Length;
                var bidx = other.Select((d, i) => d == 1 ? 0 : idx[lead + i]).ToArray();
                var expected = av[Index(shape, idx)] * bv[Index(other, bidx)];
                if (Math.Abs(expected - sum[Index(shape, idx)]) > 1e-12)
                {
                    return false;
                }
            }
            return true;
        }).Check(Config);
    }

    [Fact]
    public void PermuteThenInversePermuteIsIdentityAndIndexesCorrectly()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in ShapeGen(rank)
            from keys in Gen.Choose(0, 1000).ArrayOf(rank)
            select (shape, perm: Enumerable.Range(0, rank).OrderBy(i => keys[i]).ThenBy(i => i).ToArray());
        Prop.ForAll(gen.ToArbitrary(), pair =>
        {
            var (shape, perm) = pair;
            var values = Values(shape, 3);
            var x = Tensor.FromArray(values, shape);
            var p = x.Permute(perm);
            var pv = p.ToDoubleArray();
            var pshape = perm.Select(a => shape[a]).ToArray();
            foreach (var idx in AllIndices(pshape))
            {
                var src = new int[shape.Length];
                for (var i = 0; i < perm.Length; i++)
                {
                    src[perm[i]] = idx[i];
                }
                if (pv[Index(pshape, idx)] != values[Index(shape, src)])
                {
                    return false;
                }
            }
            var inverse = new int[perm.Length];
            for (var i = 0; i < perm.Length; i++)
            {
                inverse[perm[i]] = i;
            }
            return p.Permute(inverse).ToDoubleArray().SequenceEqual(values);
        }).Check(Config);
    }

    [Fact]
    public void SliceAndConcatRoundTrip()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in ShapeGen(rank)
            from axis in Gen.Choose(0, rank - 1)
            from cut in Gen.Choose(0, 4)
            select (shape, axis, cut: Math.Min(cut, shape[axis]));
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var values = Values(c.shape, 4);
            var x = Tensor.FromArray(values, c.shape);
            var left = x.Slice(c.axis, 0, c.cut);
            var right = x.Slice(c.axis, c.cut, c.shape[c.axis] - c.cut);
            var parts = new List<Tensor>();
            if (c.cut > 0)
            {
                parts.Add(left);
            }
            if (c.shape[c.axis] - c.cut > 0)
            {
                parts.Add(right);
            }
            var joined = Ops.Concat(parts, c.axis).ToDoubleArray();
            // slices share storage with the source (no copy)
            return joined.SequenceEqual(values) && ReferenceEquals(left.Storage, x.Storage);
        }).Check(Config);
    }

    [Fact]
    public void ReshapeOfContiguousIsAViewAndPreservesOrder()
    {
        var gen =
            from rank in Gen.Choose(1, 4)
            from shape in ShapeGen(rank)
            select shape;
        Prop.ForAll(gen.ToArbitrary(), shape =>
        {
            var values = Values(shape, 5);
            var x = Tensor.FromArray(values, shape);
            var flat = x.Reshape(-1);
            var back = flat.Reshape(shape);
            return ReferenceEquals(flat.Storage, x.Storage) && back.ToDoubleArray().SequenceEqual(values);
        }).Check(Config);
    }

    [Fact]
    public void SumToUndoesBroadcast()
    {
        var gen =
            from rank in Gen.Choose(1, 3)
            from shape in ShapeGen(rank)
            from ones in Gen.Choose(0, 1).ArrayOf(rank)
            select (shape, small: shape.Select((d, i) => ones[i] == 1 ? 1 : d).ToArray());
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var x = Tensor.FromArray(Values(c.small, 6), c.small);
            var expanded = x.Expand(c.shape);
            var factor = Shape.Numel(c.shape) / Shape.Numel(c.small);
            var summed = Ops.SumTo(expanded, c.small).ToDoubleArray();
            var original = x.ToDoubleArray();
            return summed.Zip(original).All(p => Math.Abs(p.First - p.Second * factor) < 1e-9);
        }).Check(Config);
    }
}
