using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Models.Layers;

/// <summary>The nonlinearities the denoisers use: SiLU (diffusers) and Mish (Diffusion Policy).</summary>
public enum Activation
{
    SiLU,
    Mish,
}

public static class ActivationFunctions
{
    public static Tensor Apply(this Activation activation, Tensor x) => activation switch
    {
        Activation.SiLU => Ops.SiLU(x),
        Activation.Mish => Ops.Mish(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
