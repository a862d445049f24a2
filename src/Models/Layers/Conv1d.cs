using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A 1-D convolution over [B, C, T] (PyTorch nn.Conv1d: weight [out, in, k], fan-in uniform init).</summary>
public sealed class Conv1d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
    : ConvolutionLayer(store, name, inChannels, outChannels, stride, padding, [outChannels, inChannels, kernel], inChannels * kernel)
{
    /// <summary>Diffusion Policy's Downsample1d: Conv1d(C, C, k3, stride 2, padding 1), parameters under "{name}.conv".</summary>
    public static Conv1d Downsample(ParameterStore store, string name, int channels) =>
        new(store, $"{name}.conv", channels, channels, 3, stride: 2, padding: 1);

    public override Tensor Forward(Tensor x) => Ops.Conv1d(x, Weight.Value, Bias.Value, Stride, Padding);
}
