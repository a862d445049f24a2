using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A square-kernel 2-D convolution (PyTorch nn.Conv2d: weight [out, in, k, k], fan-in uniform init).</summary>
public sealed class Conv2d
{
    public Conv2d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Padding = padding;
        var fanIn = inChannels * kernel * kernel;
        Weight = store.Declare($"{name}.weight", [outChannels, inChannels, kernel, kernel], ParameterInit.FanIn(fanIn));
        Bias = store.Declare($"{name}.bias", [outChannels], ParameterInit.FanIn(fanIn));
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Stride { get; }

    public int Padding { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => Ops.Conv2d(x, Weight.Value, Bias.Value, Stride, Padding);
}
