using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>
/// What the convolution layers share (PyTorch's _ConvNd): the channel counts, stride and padding, and a weight and a
/// per-output-channel bias declared as "{name}.weight" and "{name}.bias", both with the fan-in uniform init.
/// </summary>
/// <param name="weightShape">The weight's shape in PyTorch's layout for this kind of convolution.</param>
/// <param name="fanIn">The fan-in PyTorch computes for the init (weight dimension 1 times the kernel size).</param>
public abstract class ConvolutionLayer(ParameterStore store, string name, int inChannels, int outChannels, int stride, int padding,
    int[] weightShape, int fanIn)
{
    public int InChannels { get; } = inChannels;

    public int OutChannels { get; } = outChannels;

    public int Stride { get; } = stride;

    public int Padding { get; } = padding;

    public Parameter Weight { get; } = store.Declare($"{name}.weight", weightShape, ParameterInit.FanIn(fanIn));

    public Parameter Bias { get; } = store.Declare($"{name}.bias", [outChannels], ParameterInit.FanIn(fanIn));

    public abstract Tensor Forward(Tensor x);
}
