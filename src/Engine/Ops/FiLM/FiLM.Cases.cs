namespace NativeTrustRegion.Engine;

/// <summary>Feature-wise modulation x·scale + shift, per sample and channel.</summary>
internal sealed class FiLMCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("FiLM/FiLM", "film [8,32,2]", t => Ops.FiLM(t[0], t[1], t[2]), new([8, 32, 2], 116), new([8, 32], 117), new([8, 32], 118)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("FiLM/FiLM", "film [4,16,45]", t => Ops.FiLM(t[0], t[1], t[2]), new([4, 16, 45], 119), new([4, 16], 120), new([4, 16], 121)) with { Checks = OpChecks.Parity };
        // the benchmark: policy-paper's FiLM at its 1024-channel level (2 positions), batch 256
        yield return OpCase.Autograd("FiLM/FiLM", "film policy-paper [256,1024,2]", t => Ops.FiLM(t[0], t[1], t[2]), new([256, 1024, 2], 185), new([256, 1024], 186), new([256, 1024], 187))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("FiLM/FiLM", "film [2,3,5]", t => Ops.FiLM(t[0], t[1], t[2]), new([2, 3, 5], 1900), new([2, 3], 1901), new([2, 3], 1902));
        yield return OpCase.Autograd("FiLM/FiLM", "film [1,4,1]", t => Ops.FiLM(t[0], t[1], t[2]), new([1, 4, 1], 1903), new([1, 4], 1904), new([1, 4], 1905));
    }
}
