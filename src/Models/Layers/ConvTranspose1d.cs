using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// A 1-D transposed convolution (PyTorch nn.ConvTranspose1d: weight [in, out, k]). PyTorch computes the init's fan-in
/// from weight dimension 1, i.e. out·k, and this layer does the same.
/// </summary>
public sealed class ConvTranspose1d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride, int padding)
    : ConvolutionLayer(store, name, inChannels, outChannels, stride, padding, [inChannels, outChannels, kernel], outChannels * kernel)
{
    /// <summary>Diffusion Policy's Upsample1d: ConvTranspose1d(C, C, k4, stride 2, padding 1), parameters under "{name}.conv".</summary>
    public static ConvTranspose1d Upsample(ParameterStore store, string name, int channels) =>
        new(store, $"{name}.conv", channels, channels, 4, stride: 2, padding: 1);

    public override Tensor Forward(Tensor x) => Ops.ConvTranspose1d(x, Weight.Value, Bias.Value, Stride, Padding);
}
