using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Evaluation;

/// <summary>
/// pytorch-fid's FID Inception-v3 for inference, on the engine: every BasicConv2d is one convolution with its BatchNorm
/// folded in (see <see cref="InceptionV3WeightsFile.FoldedConv"/>) followed by ReLU; the weights live in one flat
/// <see cref="ParameterStore"/> (float32, no gradients). The FID-specific blocks follow pytorch-fid: the pool branches of
/// Mixed_5b–5d (FIDInceptionA), 6b–6e (FIDInceptionC) and 7b (FIDInceptionE_1) average 3×3/1 windows padded by 1
/// without counting the padding (count_include_pad=False, TensorFlow's behaviour); Mixed_7c (FIDInceptionE_2) max-pools
/// there. No torchvision transform_input: pytorch-fid runs the blocks on inputs in [-1, 1] directly.
/// </summary>
public sealed class InceptionV3Network
{
    private InceptionV3Network(ParameterStore store, int classCount, string source)
    {
        Store = store;
        ClassCount = classCount;
        Source = source;
    }

    public ParameterStore Store { get; }

    /// <summary>fc logits per image (0 without an fc layer in the file).</summary>
    public int ClassCount { get; }

    /// <summary>The weights file it was loaded from.</summary>
    public string Source { get; }

    public Device Device => Store.Device;

    /// <summary>Builds the network on <paramref name="device"/> from a checked weights file.</summary>
    public static InceptionV3Network Load(InceptionV3WeightsFile weights, Device? device = null)
    {
        var store = new ParameterStore(DType.F32, device) { RequiresGrad = false };
        foreach (var conv in InceptionV3Architecture.Convs)
        {
            store.Declare($"{conv.Name}.weight", conv.WeightShape, ParameterInit.Zeros);
            store.Declare($"{conv.Name}.bias", [conv.Out], ParameterInit.Zeros);
        }
        if (weights.FcClasses > 0)
        {
            store.Declare("fc.weight", [weights.FcClasses, InceptionV3Architecture.FeatureWidth], ParameterInit.Zeros);
            store.Declare("fc.bias", [weights.FcClasses], ParameterInit.Zeros);
        }
        store.Allocate(0);
        foreach (var conv in InceptionV3Architecture.Convs)
        {
            var (w, b) = weights.FoldedConv(conv);
            Fill(store, $"{conv.Name}.weight", w);
            Fill(store, $"{conv.Name}.bias", b);
        }
        if (weights.FcClasses > 0)
        {
            Fill(store, "fc.weight", weights.Read("fc.weight"));
            Fill(store, "fc.bias", weights.Read("fc.bias"));
        }
        return new InceptionV3Network(store, weights.FcClasses, weights.Path);
    }

    private static void Fill(ParameterStore store, string name, float[] values)
    {
        var view = ParameterStore.ViewIn(store.Data, store[name]);
        view.Backend.CopyFromHost<float>(values, view);
    }

    /// <summary>
    /// Pool3 features [N, 2048] (the global average of Mixed_7c) and, when the file has fc, logits [N, K] of images
    /// [N, 3, 299, 299] in [-1, 1]. Each block's intermediate buffers go back to the pool when the block ends.
    /// </summary>
    public (Tensor Features, Tensor? Logits) Forward(Tensor images)
    {
        var h = InScope(() => Stem(images));
        h = InScope(() => BlockA("Mixed_5b", h));
        h = InScope(() => BlockA("Mixed_5c", h));
        h = InScope(() => BlockA("Mixed_5d", h));
        h = InScope(() => BlockB("Mixed_6a", h));
        h = InScope(() => BlockC("Mixed_6b", h));
        h = InScope(() => BlockC("Mixed_6c", h));
        h = InScope(() => BlockC("Mixed_6d", h));
        h = InScope(() => BlockC("Mixed_6e", h));
        h = InScope(() => BlockD("Mixed_7a", h));
        h = InScope(() => BlockE("Mixed_7b", h, maxPoolBranch: false));
        h = InScope(() => BlockE("Mixed_7c", h, maxPoolBranch: true));
        var features = Ops.Mean(h, [2, 3]);
        var logits = ClassCount > 0 ? Ops.Linear(features, Store["fc.weight"].Value, Store["fc.bias"].Value) : null;
        return (features, logits);
    }

    private static Tensor InScope(Func<Tensor> block)
    {
        using var scope = TensorScope.Begin();
        return TensorScope.Keep(block());
    }

    /// <summary>BasicConv2d: conv (BatchNorm folded into weight and bias) → ReLU.</summary>
    private Tensor Conv(string name, Tensor x)
    {
        var c = InceptionV3Architecture.Conv(name);
        return Ops.Relu(Ops.Conv2d(x, Store[$"{name}.weight"].Value, Store[$"{name}.bias"].Value, (c.Stride, c.Stride), (c.PadH, c.PadW)));
    }

    /// <summary>Conv2d_1a_3x3 → 2a → 2b → max pool 3/2 → 3b → 4a → max pool 3/2: [N,3,299,299] → [N,192,35,35].</summary>
    private Tensor Stem(Tensor x)
    {
        var h = Conv("Conv2d_2b_3x3", Conv("Conv2d_2a_3x3", Conv("Conv2d_1a_3x3", x)));
        h = Ops.MaxPool2d(h, 3, 2);
        h = Conv("Conv2d_4a_3x3", Conv("Conv2d_3b_1x1", h));
        return Ops.MaxPool2d(h, 3, 2);
    }

    /// <summary>3×3/1 average pool padded by 1 that does not count the padding (pytorch-fid's patch).</summary>
    private static Tensor PoolBranchAverage(Tensor x) => Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: false);

    /// <summary>FIDInceptionA.</summary>
    private Tensor BlockA(string b, Tensor x) => Ops.Concat(
    [
        Conv($"{b}.branch1x1", x),
        Conv($"{b}.branch5x5_2", Conv($"{b}.branch5x5_1", x)),
        Conv($"{b}.branch3x3dbl_3", Conv($"{b}.branch3x3dbl_2", Conv($"{b}.branch3x3dbl_1", x))),
        Conv($"{b}.branch_pool", PoolBranchAverage(x)),
    ], 1);

    /// <summary>InceptionB (unchanged by pytorch-fid): stride-2 reduction with a 3×3/2 max pool branch.</summary>
    private Tensor BlockB(string b, Tensor x) => Ops.Concat(
    [
        Conv($"{b}.branch3x3", x),
        Conv($"{b}.branch3x3dbl_3", Conv($"{b}.branch3x3dbl_2", Conv($"{b}.branch3x3dbl_1", x))),
        Ops.MaxPool2d(x, 3, 2),
    ], 1);

    /// <summary>FIDInceptionC.</summary>
    private Tensor BlockC(string b, Tensor x)
    {
        var seven = Conv($"{b}.branch7x7_3", Conv($"{b}.branch7x7_2", Conv($"{b}.branch7x7_1", x)));
        var dbl = Conv($"{b}.branch7x7dbl_1", x);
        for (var i = 2; i <= 5; i++)
        {
            dbl = Conv($"{b}.branch7x7dbl_{i}", dbl);
        }
        return Ops.Concat([Conv($"{b}.branch1x1", x), seven, dbl, Conv($"{b}.branch_pool", PoolBranchAverage(x))], 1);
    }

    /// <summary>InceptionD (unchanged by pytorch-fid): stride-2 reduction with a 3×3/2 max pool branch.</summary>
    private Tensor BlockD(string b, Tensor x) => Ops.Concat(
    [
        Conv($"{b}.branch3x3_2", Conv($"{b}.branch3x3_1", x)),
        Conv($"{b}.branch7x7x3_4", Conv($"{b}.branch7x7x3_3", Conv($"{b}.branch7x7x3_2", Conv($"{b}.branch7x7x3_1", x)))),
        Ops.MaxPool2d(x, 3, 2),
    ], 1);

    /// <summary>
    /// FIDInceptionE_1 (average pool branch without padding in the count) or FIDInceptionE_2 (3×3/1 max pool padded by 1).
    /// The two split branches are concatenated in place: [1x1, 3x3_2a, 3x3_2b, dbl_3a, dbl_3b, pool] is torch's channel order.
    /// </summary>
    private Tensor BlockE(string b, Tensor x, bool maxPoolBranch)
    {
        var three = Conv($"{b}.branch3x3_1", x);
        var dbl = Conv($"{b}.branch3x3dbl_2", Conv($"{b}.branch3x3dbl_1", x));
        var pooled = maxPoolBranch ? Ops.MaxPool2d(x, 3, 1, 1) : PoolBranchAverage(x);
        return Ops.Concat(
        [
            Conv($"{b}.branch1x1", x),
            Conv($"{b}.branch3x3_2a", three),
            Conv($"{b}.branch3x3_2b", three),
            Conv($"{b}.branch3x3dbl_3a", dbl),
            Conv($"{b}.branch3x3dbl_3b", dbl),
            Conv($"{b}.branch_pool", pooled),
        ], 1);
    }
}
