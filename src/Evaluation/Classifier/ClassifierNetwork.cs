using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Evaluation;

/// <summary>
/// The small convolutional classifier whose penultimate activations are our FID features (Inception weights cannot be
/// downloaded here). conv3×3(C→32) → GN → SiLU → conv3×3/2(32→64) → GN → SiLU → conv3×3/2(64→128) → GN → SiLU →
/// global average pool → 128-d features → Linear(128→K) logits.
/// </summary>
public sealed class ClassifierNetwork
{
    public const int FeatureWidth = 128;
    private static readonly (string Name, int In, int Out, int Stride)[] Convs = [("conv1", 0, 32, 1), ("conv2", 32, 64, 2), ("conv3", 64, 128, 2)];

    public ClassifierNetwork(int channels, int classes, DType dtype = DType.F32, Device? device = null)
    {
        Channels = channels;
        Classes = classes;
        Store = new ParameterStore(dtype, device);
        foreach (var (name, inC, outC, _) in Convs)
        {
            var cin = inC == 0 ? channels : inC;
            Store.Declare($"{name}.weight", [outC, cin, 3, 3], ParameterInit.FanIn(cin * 9));
            Store.Declare($"{name}.bias", [outC], ParameterInit.FanIn(cin * 9));
            Store.Declare($"{name}.norm.weight", [outC], ParameterInit.Ones);
            Store.Declare($"{name}.norm.bias", [outC], ParameterInit.Zeros);
        }
        Store.Declare("head.weight", [classes, FeatureWidth], ParameterInit.FanIn(FeatureWidth));
        Store.Declare("head.bias", [classes], ParameterInit.FanIn(FeatureWidth));
    }

    public int Channels { get; }

    public int Classes { get; }

    public ParameterStore Store { get; }

    /// <summary>Features [B, 128] and logits [B, K] of images [B, C, H, W] in [-1, 1].</summary>
    public (Tensor Features, Tensor Logits) Forward(Tensor images)
    {
        var h = images;
        foreach (var (name, _, _, stride) in Convs)
        {
            h = Ops.Conv2d(h, Store[$"{name}.weight"].Value, Store[$"{name}.bias"].Value, stride, 1);
            h = Ops.SiLU(Ops.GroupNorm(h, 8, Store[$"{name}.norm.weight"].Value, Store[$"{name}.norm.bias"].Value));
        }
        var features = Ops.Mean(h, [2, 3]);
        var logits = Ops.Linear(features, Store["head.weight"].Value, Store["head.bias"].Value);
        return (features, logits);
    }
}
