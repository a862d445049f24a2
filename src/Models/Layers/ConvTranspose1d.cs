using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// A 1-D transposed convolution (PyTorch nn.ConvTranspose1d: weight [in, out, k]). PyTorch computes the init's fan-in
/// from weight dimension 1, i.e. out·k, and this layer does the same.
/// </summary>
public sealed class ConvTranspose1d
{
    public ConvTranspose1d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride, int padding)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Padding = padding;
        var fanIn = outChannels * kernel;
        Weight = store.Declare($"{name}.weight", [inChannels, outChannels, kernel], ParameterInit.FanIn(fanIn));
        Bias = store.Declare($"{name}.bias", [outChannels], ParameterInit.FanIn(fanIn));
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Stride { get; }

    public int Padding { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => Ops.ConvTranspose1d(x, Weight.Value, Bias.Value, Stride, Padding);
}
