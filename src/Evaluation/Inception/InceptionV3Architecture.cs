namespace NativeTrustRegion.Evaluation;

/// <summary>
/// One BasicConv2d of torchvision's Inception3 (conv without bias → BatchNorm(eps 0.001) → ReLU): its state_dict prefix
/// (e.g. "Mixed_6b.branch7x7_2"), channels, kernel, stride and padding.
/// </summary>
public readonly record struct InceptionConv(string Name, int In, int Out, int KernelH, int KernelW, int Stride, int PadH, int PadW)
{
    public int[] WeightShape => [Out, In, KernelH, KernelW];
}

/// <summary>
/// The FID Inception-v3 of pytorch-fid (<c>fid_inception_v3</c>: torchvision's Inception3 with Mixed_5b–5d replaced by
/// FIDInceptionA, 6b–6e by FIDInceptionC, 7b by FIDInceptionE_1 and 7c by FIDInceptionE_2), as data: every conv layer
/// in network order with torchvision's state_dict names, and the tensors a weights file must hold.
/// Blocks: stem (Conv2d_1a…4a with two 3×3/2 max pools), Mixed_5b–5d (A), Mixed_6a (B), Mixed_6b–6e (C), Mixed_7a (D),
/// Mixed_7b–7c (E), global average pool → 2048-d pool3 features, optional fc (1008 logits in pytorch-fid's file).
/// </summary>
public static class InceptionV3Architecture
{
    public const int FeatureWidth = 2048;

    public const int InputSize = 299;

    /// <summary>torchvision's BasicConv2d BatchNorm epsilon.</summary>
    public const double BatchNormEpsilon = 0.001;

    /// <summary>Suffixes of the tensors of one conv layer, after "&lt;layer&gt;." (num_batches_tracked is not read).</summary>
    public static readonly string[] ConvTensorSuffixes = ["conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"];

    /// <summary>Every conv layer in the order the forward pass runs them.</summary>
    public static IReadOnlyList<InceptionConv> Convs { get; } = Build();

    private static readonly Dictionary<string, InceptionConv> ByName = Convs.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static InceptionConv Conv(string name) => ByName[name];

    /// <summary>
    /// Every tensor (state_dict name and shape) the network reads, in network order; with <paramref name="fcClasses"/> &gt; 0
    /// also fc.weight [K, 2048] and fc.bias [K].
    /// </summary>
    public static IEnumerable<(string Name, int[] Shape)> Tensors(int fcClasses = 0)
    {
        foreach (var c in Convs)
        {
            yield return ($"{c.Name}.conv.weight", c.WeightShape);
            foreach (var suffix in ConvTensorSuffixes.Skip(1))
            {
                yield return ($"{c.Name}.{suffix}", [c.Out]);
            }
        }
        if (fcClasses > 0)
        {
            yield return ("fc.weight", [fcClasses, FeatureWidth]);
            yield return ("fc.bias", [fcClasses]);
        }
    }

    /// <summary>
    /// pytorch-fid's InceptionV3 wrapper keeps the layers in nn.Sequential blocks; its state_dict names them by position:
    /// blocks.0.{0,1,2} = Conv2d_1a/2a/2b, blocks.1.{0,1} = Conv2d_3b/4a, blocks.2.{0..7} = Mixed_5b…Mixed_6e,
    /// blocks.3.{0,1,2} = Mixed_7a…7c (the max and average pools hold no tensors).
    /// </summary>
    public static IReadOnlyDictionary<string, string> WrapperBlockNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Conv2d_1a_3x3"] = "blocks.0.0", ["Conv2d_2a_3x3"] = "blocks.0.1", ["Conv2d_2b_3x3"] = "blocks.0.2",
        ["Conv2d_3b_1x1"] = "blocks.1.0", ["Conv2d_4a_3x3"] = "blocks.1.1",
        ["Mixed_5b"] = "blocks.2.0", ["Mixed_5c"] = "blocks.2.1", ["Mixed_5d"] = "blocks.2.2", ["Mixed_6a"] = "blocks.2.3",
        ["Mixed_6b"] = "blocks.2.4", ["Mixed_6c"] = "blocks.2.5", ["Mixed_6d"] = "blocks.2.6", ["Mixed_6e"] = "blocks.2.7",
        ["Mixed_7a"] = "blocks.3.0", ["Mixed_7b"] = "blocks.3.1", ["Mixed_7c"] = "blocks.3.2",
    };

    private static List<InceptionConv> Build()
    {
        var convs = new List<InceptionConv>
        {
            Square("Conv2d_1a_3x3", 3, 32, 3, stride: 2),
            Square("Conv2d_2a_3x3", 32, 32, 3),
            Square("Conv2d_2b_3x3", 32, 64, 3, padding: 1),
            Square("Conv2d_3b_1x1", 64, 80, 1),
            Square("Conv2d_4a_3x3", 80, 192, 3),
        };
        convs.AddRange(BlockA("Mixed_5b", 192, 32));
        convs.AddRange(BlockA("Mixed_5c", 256, 64));
        convs.AddRange(BlockA("Mixed_5d", 288, 64));
        convs.AddRange(BlockB("Mixed_6a", 288));
        convs.AddRange(BlockC("Mixed_6b", 768, 128));
        convs.AddRange(BlockC("Mixed_6c", 768, 160));
        convs.AddRange(BlockC("Mixed_6d", 768, 160));
        convs.AddRange(BlockC("Mixed_6e", 768, 192));
        convs.AddRange(BlockD("Mixed_7a", 768));
        convs.AddRange(BlockE("Mixed_7b", 1280));
        convs.AddRange(BlockE("Mixed_7c", 2048));
        return convs;
    }

    private static InceptionConv Square(string name, int cin, int cout, int k, int stride = 1, int padding = 0) =>
        new(name, cin, cout, k, k, stride, padding, padding);

    /// <summary>A 1×k conv (padding (0, k/2)).</summary>
    private static InceptionConv Row(string name, int cin, int cout, int k) => new(name, cin, cout, 1, k, 1, 0, k / 2);

    /// <summary>A k×1 conv (padding (k/2, 0)).</summary>
    private static InceptionConv Column(string name, int cin, int cout, int k) => new(name, cin, cout, k, 1, 1, k / 2, 0);

    /// <summary>InceptionA: 1×1 (64) | 1×1 (48) → 5×5 (64) | 1×1 (64) → 3×3 (96) → 3×3 (96) | 3×3 avg pool → 1×1 (pool).</summary>
    private static IEnumerable<InceptionConv> BlockA(string b, int cin, int pool) =>
    [
        Square($"{b}.branch1x1", cin, 64, 1),
        Square($"{b}.branch5x5_1", cin, 48, 1),
        Square($"{b}.branch5x5_2", 48, 64, 5, padding: 2),
        Square($"{b}.branch3x3dbl_1", cin, 64, 1),
        Square($"{b}.branch3x3dbl_2", 64, 96, 3, padding: 1),
        Square($"{b}.branch3x3dbl_3", 96, 96, 3, padding: 1),
        Square($"{b}.branch_pool", cin, pool, 1),
    ];

    /// <summary>InceptionB: 3×3/2 (384) | 1×1 (64) → 3×3 (96) → 3×3/2 (96) | 3×3/2 max pool.</summary>
    private static IEnumerable<InceptionConv> BlockB(string b, int cin) =>
    [
        Square($"{b}.branch3x3", cin, 384, 3, stride: 2),
        Square($"{b}.branch3x3dbl_1", cin, 64, 1),
        Square($"{b}.branch3x3dbl_2", 64, 96, 3, padding: 1),
        Square($"{b}.branch3x3dbl_3", 96, 96, 3, stride: 2),
    ];

    /// <summary>InceptionC: 1×1 (192) | 1×1 → 1×7 → 7×1 (192) | 1×1 → 7×1 → 1×7 → 7×1 → 1×7 (192) | 3×3 avg pool → 1×1 (192).</summary>
    private static IEnumerable<InceptionConv> BlockC(string b, int cin, int c7) =>
    [
        Square($"{b}.branch1x1", cin, 192, 1),
        Square($"{b}.branch7x7_1", cin, c7, 1),
        Row($"{b}.branch7x7_2", c7, c7, 7),
        Column($"{b}.branch7x7_3", c7, 192, 7),
        Square($"{b}.branch7x7dbl_1", cin, c7, 1),
        Column($"{b}.branch7x7dbl_2", c7, c7, 7),
        Row($"{b}.branch7x7dbl_3", c7, c7, 7),
        Column($"{b}.branch7x7dbl_4", c7, c7, 7),
        Row($"{b}.branch7x7dbl_5", c7, 192, 7),
        Square($"{b}.branch_pool", cin, 192, 1),
    ];

    /// <summary>InceptionD: 1×1 (192) → 3×3/2 (320) | 1×1 (192) → 1×7 → 7×1 → 3×3/2 (192) | 3×3/2 max pool.</summary>
    private static IEnumerable<InceptionConv> BlockD(string b, int cin) =>
    [
        Square($"{b}.branch3x3_1", cin, 192, 1),
        Square($"{b}.branch3x3_2", 192, 320, 3, stride: 2),
        Square($"{b}.branch7x7x3_1", cin, 192, 1),
        Row($"{b}.branch7x7x3_2", 192, 192, 7),
        Column($"{b}.branch7x7x3_3", 192, 192, 7),
        Square($"{b}.branch7x7x3_4", 192, 192, 3, stride: 2),
    ];

    /// <summary>InceptionE: 1×1 (320) | 1×1 (384) → [1×3, 3×1] (384 each) | 1×1 (448) → 3×3 (384) → [1×3, 3×1] | pool → 1×1 (192).</summary>
    private static IEnumerable<InceptionConv> BlockE(string b, int cin) =>
    [
        Square($"{b}.branch1x1", cin, 320, 1),
        Square($"{b}.branch3x3_1", cin, 384, 1),
        Row($"{b}.branch3x3_2a", 384, 384, 3),
        Column($"{b}.branch3x3_2b", 384, 384, 3),
        Square($"{b}.branch3x3dbl_1", cin, 448, 1),
        Square($"{b}.branch3x3dbl_2", 448, 384, 3, padding: 1),
        Row($"{b}.branch3x3dbl_3a", 384, 384, 3),
        Column($"{b}.branch3x3dbl_3b", 384, 384, 3),
        Square($"{b}.branch_pool", cin, 192, 1),
    ];
}
