using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A square-kernel 2-D convolution (PyTorch nn.Conv2d: weight [out, in, k, k], fan-in uniform init).</summary>
public sealed class Conv2d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
    : ConvolutionLayer(store, name, inChannels, outChannels, stride, padding, [outChannels, inChannels, kernel, kernel],
        inChannels * kernel * kernel)
{
    public override Tensor Forward(Tensor x) => Ops.Conv2d(x, Weight.Value, Bias.Value, Stride, Padding);
}
