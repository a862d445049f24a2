namespace NativeTrustRegion.Engine;

/// <summary>Views (reshape, permute, slice, expand, split) and the strided copies and concatenation that materialise them.</summary>
internal sealed class ViewsCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Views/Views", "permute + contiguous (strided copy)", t => t[0].Permute(2, 0, 1).Contiguous(), new([7, 9, 11], 43))
            with { Tolerance = OpTolerance.Exact, Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Views/Concat", "concat / slice / expand", t => Ops.Concat([t[0], t[1].Slice(1, 0, 2).Expand(3, 2, 5)], 1), new([3, 4, 5], 44), new([1, 3, 5], 45))
            with { Checks = OpChecks.Parity };

        // the benchmark: image-paper's attention head split at 8x8 (tokens × heads → heads × tokens) and its UNet skip concat at 16x16, training batch 128
        yield return OpCase.Autograd("Views/Views", "permute + contiguous image-paper heads [128,64,32,8]→[128,32,64,8]", t => t[0].Permute(0, 2, 1, 3).Contiguous(),
            new([128, 64, 32, 8], 211)) with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Views/Concat", "concat image-paper skip [128,256,16,16]·[128,256,16,16] axis 1", t => Ops.Concat([t[0], t[1]], 1),
            new([128, 256, 16, 16], 212), new([128, 256, 16, 16], 213)) with { Checks = OpChecks.Benchmark };
        OpInput x = new([2, 3, 4], 1160);
        yield return OpCase.Autograd("Views/Views", "reshape [2,3,4]→[4,6]", t => t[0].Reshape(4, 6) * 2.0, x);
        yield return OpCase.Autograd("Views/Views", "permute + contiguous [2,3,4]", t => t[0].Permute(2, 0, 1).Contiguous(), x) with { Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Views/Views", "permute + reshape [2,3,4]→[3,8]", t => t[0].Permute(1, 2, 0).Reshape(3, 8), x);
        yield return OpCase.Autograd("Views/Views", "slice [2,3,4] axis 2 [1,3)", t => t[0].Slice(2, 1, 2), x);
        yield return OpCase.Autograd("Views/Views", "slice + expand [2,1,4]→[2,5,4]", t => t[0].Slice(1, 0, 1).Expand(2, 5, 4), x);
        yield return OpCase.Autograd("Views/Concat", "concat [2,3,4]·[2,5,4]·[2,3,4] axis 1", t => Ops.Concat([t[0], t[1], t[0]], 1), x, new([2, 5, 4], 1161));
        yield return OpCase.Autograd("Views/Concat", "split [2,3,4] axis 2 into 1+3, product", t =>
        {
            var parts = Ops.Split(t[0], 2, 1, 3);
            return parts[1] * parts[0];
        }, x);
    }
}
