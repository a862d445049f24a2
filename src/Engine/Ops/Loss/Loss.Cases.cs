namespace NativeTrustRegion.Engine;

/// <summary>Mean squared error, differentiated with respect to both sides.</summary>
internal sealed class LossCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Loss/MseLoss", "mse loss [8,3,16,16]", t => Ops.MseLoss(t[0], t[1]), new([8, 3, 16, 16], 111), new([8, 3, 16, 16], 112)) with { Checks = OpChecks.Parity };
        // the benchmark: the diffusion loss on image-paper's predicted noise, training batch 128
        yield return OpCase.Autograd("Loss/MseLoss", "mse loss image-paper [128,3,32,32]", t => Ops.MseLoss(t[0], t[1]), new([128, 3, 32, 32], 191), new([128, 3, 32, 32], 192))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Loss/MseLoss", "mse loss [3,5]", t => Ops.MseLoss(t[0], t[1]), new([3, 5], 1700), new([3, 5], 1701));
    }
}
