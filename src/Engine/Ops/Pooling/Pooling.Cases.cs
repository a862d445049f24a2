namespace NativeTrustRegion.Engine;

/// <summary>Max and average pooling with kernel, stride and padding (average pooling counting the padding or not).</summary>
internal sealed class PoolingCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Pooling/MaxPool2d", "maxpool2d k3 s2 [2,3,15,14]", t => Ops.MaxPool2d(t[0], 3, 2), new([2, 3, 15, 14], 122)) with { Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Pooling/MaxPool2d", "maxpool2d k3 s1 p1 [2,3,9,8]", t => Ops.MaxPool2d(t[0], 3, 1, 1), new([2, 3, 9, 8], 123)) with { Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Pooling/AvgPool2d", "avgpool2d k3 s1 p1 exclude pad [2,3,9,8]", t => Ops.AvgPool2d(t[0], 3, 1, 1, countIncludePad: false), new([2, 3, 9, 8], 124))
            with { Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Pooling/AvgPool2d", "avgpool2d k3 s2 p1 include pad [2,3,9,8]", t => Ops.AvgPool2d(t[0], 3, 2, 1, countIncludePad: true), new([2, 3, 9, 8], 125))
            with { Tolerance = OpTolerance.Exact };
        // the benchmark: the FID Inception-v3's stem max pool and Mixed_5b's padded average pool, 16 images
        yield return OpCase.Autograd("Pooling/MaxPool2d", "maxpool2d k3 s2 inception stem [16,64,147,147]", t => Ops.MaxPool2d(t[0], 3, 2), new([16, 64, 147, 147], 207))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Pooling/AvgPool2d", "avgpool2d k3 s1 p1 exclude pad inception Mixed_5b [16,192,35,35]", t => Ops.AvgPool2d(t[0], 3, 1, 1, countIncludePad: false),
            new([16, 192, 35, 35], 208)) with { Checks = OpChecks.Benchmark };
        (int K, int S, int P)[] max = [(3, 2, 0), (2, 1, 0), (3, 2, 1)];
        foreach (var (k, s, p) in max)
        {
            yield return OpCase.Autograd("Pooling/MaxPool2d", $"maxpool2d k{k} s{s} p{p} [2,2,7,6]", t => Ops.MaxPool2d(t[0], k, s, p), new([2, 2, 7, 6], 2100 + (ulong)(k * 10 + s + p)))
                with { Tolerance = OpTolerance.Exact };
        }
        (int K, int S, int P, bool Include)[] avg = [(3, 2, 0, true), (2, 2, 1, false), (3, 1, 1, true)];
        foreach (var (k, s, p, include) in avg)
        {
            yield return OpCase.Autograd("Pooling/AvgPool2d", $"avgpool2d k{k} s{s} p{p} {(include ? "include" : "exclude")} pad [2,2,7,6]", t => Ops.AvgPool2d(t[0], k, s, p, include),
                new([2, 2, 7, 6], 2200 + (ulong)(k * 10 + s + p))) with { Tolerance = OpTolerance.Exact };
        }
    }
}
