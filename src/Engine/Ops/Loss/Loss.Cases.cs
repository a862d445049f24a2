namespace NativeTrustRegion.Engine;

/// <summary>Mean squared error, differentiated with respect to both sides.</summary>
internal sealed class LossCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Loss/MseLoss", "mse loss [8,3,16,16]", t => Ops.MseLoss(t[0], t[1]), new([8, 3, 16, 16], 111), new([8, 3, 16, 16], 112)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Loss/MseLoss", "mse loss [3,5]", t => Ops.MseLoss(t[0], t[1]), new([3, 5], 1700), new([3, 5], 1701));
    }
}
