using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>Dropout with a generator in the same state on every evaluation: the same mask on both devices, and linear in x for the gradient check.</summary>
internal sealed class DropoutCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.3 (same mask)", t => Ops.Dropout(t[0], 0.3, new Generator(7)), new([100, 37], 113)) with { Checks = OpChecks.Parity };
        // bf16 storage, float32 math: the same mask, each kept value scaled and rounded once
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.3 bf16 (same mask)", t => Ops.Cast(Ops.Dropout(Ops.Cast(t[0], DType.BF16), 0.3, new Generator(7)), DType.F32),
            new([100, 37], 1622)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        // the benchmark: image-paper's ResNet-block dropout (p = 0.1) at 16x16, training batch 128
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.1 image-paper [128,256,16,16]", t => Ops.Dropout(t[0], 0.1, new Generator(8)), new([128, 256, 16, 16], 184))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.3 [4,9]", t => Ops.Dropout(t[0], 0.3, new Generator(7)), new([4, 9], 1800));
    }
}
