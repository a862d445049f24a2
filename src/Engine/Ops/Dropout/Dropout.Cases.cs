using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine;

/// <summary>Dropout with a generator in the same state on every evaluation: the same mask on both devices, and linear in x for the gradient check.</summary>
internal sealed class DropoutCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.3 (same mask)", t => Ops.Dropout(t[0], 0.3, new Generator(7)), new([100, 37], 113)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Dropout/Dropout", "dropout p=0.3 [4,9]", t => Ops.Dropout(t[0], 0.3, new Generator(7)), new([4, 9], 1800));
    }
}
