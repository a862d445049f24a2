using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A 1-D convolution over [B, C, T] (PyTorch nn.Conv1d: weight [out, in, k], fan-in uniform init).</summary>
public sealed class Conv1d
{
    public Conv1d(ParameterStore store, string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Padding = padding;
        var fanIn = inChannels * kernel;
        Weight = store.Declare($"{name}.weight", [outChannels, inChannels, kernel], ParameterInit.FanIn(fanIn));
        Bias = store.Declare($"{name}.bias", [outChannels], ParameterInit.FanIn(fanIn));
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Stride { get; }

    public int Padding { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Tensor Forward(Tensor x) => Ops.Conv1d(x, Weight.Value, Bias.Value, Stride, Padding);
}
