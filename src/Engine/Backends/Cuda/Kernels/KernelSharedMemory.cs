namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The static shared memory (bytes of its <c>__shared__</c> arrays) of every kernel in kernels/*.cu that has any,
/// written out from the declarations so the host can check static + dynamic shared memory against the GPU's limit
/// before a launch. tests/Cuda.Tests checks every entry against the <c>.shared</c> declarations of the NVRTC PTX of
/// each kernel, so a kernel edit that changes them fails CI until this table follows.
/// </summary>
internal static class KernelSharedMemory
{
    /// <summary>Threads per block of the attention kernels (NTR_ATTENTION_THREADS in attention.cu).</summary>
    public const int AttentionThreads = 128;

    /// <summary>The padded head dims the attention kernels are instantiated for.</summary>
    public static readonly int[] AttentionHeadDims = [8, 16, 32, 64, 128];

    /// <summary>NTR_MAX_DIRECTIONS in fisher.cu.</summary>
    private const int FisherMaxDirections = 16;

    /// <summary>block_sum / block_max scratch: 32 values of the element type.</summary>
    private static int Scratch(int elementBytes) => 32 * elementBytes;

    /// <summary>Keys (or queries) per shared tile of the attention kernels (AttentionShape::TILE).</summary>
    public static int AttentionTile(int headDim, int elementBytes) => headDim * elementBytes >= 512 ? 16 : 32;

    /// <summary>attention_forward and attention_backward_q: a key and a value tile.</summary>
    public static int AttentionForward(int headDim, int elementBytes) => 2 * AttentionTile(headDim, elementBytes) * headDim * elementBytes;

    /// <summary>attention_backward_kv: a query and an output-gradient tile plus a log-sum-exp and a delta per tile row.</summary>
    public static int AttentionBackwardKV(int headDim, int elementBytes) =>
        2 * AttentionTile(headDim, elementBytes) * headDim * elementBytes + 2 * AttentionTile(headDim, elementBytes) * elementBytes;

    /// <summary>groupnorm*_forward: the block_sum scratch (the cached group is dynamic shared memory on top).</summary>
    public static int GroupNormForward(DType dtype) => Scratch(GroupNormLaunchPlan.MathType(dtype).SizeOf());

    /// <summary>groupnorm*_backward: none (its per-channel sums are dynamic shared memory).</summary>
    public const int GroupNormBackward = 0;

    private static readonly Dictionary<(string Module, string Kernel), int> Table = Build();

    /// <summary>
    /// Static shared bytes of kernel <paramref name="fullName"/> (with its _f32/_f64 suffix) of kernels/<paramref name="module"/>.cu;
    /// 0 for kernels without.
    /// </summary>
    public static int StaticBytes(string module, string fullName) => Table.GetValueOrDefault((module, fullName));

    /// <summary>Every kernel of kernels/<paramref name="module"/>.cu with static shared memory, and its bytes.</summary>
    public static IReadOnlyDictionary<string, int> InModule(string module) =>
        Table.Where(e => e.Key.Module == module).ToDictionary(e => e.Key.Kernel, e => e.Value, StringComparer.Ordinal);

    private static Dictionary<(string Module, string Kernel), int> Build()
    {
        var table = new Dictionary<(string, string), int>();
        foreach (var (suffix, bytes, dtype) in new[] { ("f32", 4, DType.F32), ("f64", 8, DType.F64) })
        {
            foreach (var d in AttentionHeadDims)
            {
                table[("attention", $"attention_forward_{suffix}_d{d}")] = AttentionForward(d, bytes);
                table[("attention", $"attention_backward_q_{suffix}_d{d}")] = AttentionForward(d, bytes);
                table[("attention", $"attention_backward_kv_{suffix}_d{d}")] = AttentionBackwardKV(d, bytes);
            }
            foreach (var variant in new[] { "groupnorm", "groupnorm_silu", "groupnorm_film_silu" })
            {
                table[("groupnorm", $"{variant}_forward_{suffix}")] = GroupNormForward(dtype);
            }
            table[("layernorm", $"layernorm_forward_{suffix}")] = Scratch(bytes);
            table[("layernorm", $"layernorm_backward_dx_{suffix}")] = Scratch(bytes);
            table[("softmax", $"softmax_forward_{suffix}")] = Scratch(bytes);
            table[("softmax", $"softmax_backward_{suffix}")] = Scratch(bytes);
            // these reduce in double whatever the element type
            table[("loss", $"mse_partial_{suffix}")] = Scratch(8);
            table[("loss", $"mse_finish_{suffix}")] = Scratch(8);
            table[("vector", $"dot_partial_{suffix}")] = Scratch(8);
            table[("fisher", $"multi_dot_partial_{suffix}")] = Scratch(8);
            table[("fisher", $"collinearity_cosines_{suffix}")] = Scratch(8);
            table[("fisher", $"rank1_fisher_adam_{suffix}")] = FisherMaxDirections * 4 * 8;
            table[("fisher", $"rank1_fisher_adam_staged_{suffix}")] = FisherMaxDirections * 4 * 8;
        }
        foreach (var variant in new[] { "groupnorm", "groupnorm_silu", "groupnorm_film_silu" })
        {
            table[("groupnorm", $"{variant}_forward_bf16")] = GroupNormForward(DType.BF16);
        }
        // bf16 storage computes in float: float tiles and scratch, as the f32 kernels
        foreach (var d in AttentionHeadDims)
        {
            table[("attention", $"attention_forward_bf16_d{d}")] = AttentionForward(d, 4);
            table[("attention", $"attention_backward_q_bf16_d{d}")] = AttentionForward(d, 4);
            table[("attention", $"attention_backward_kv_bf16_d{d}")] = AttentionBackwardKV(d, 4);
        }
        table[("layernorm", "layernorm_forward_bf16")] = Scratch(4);
        table[("layernorm", "layernorm_backward_dx_bf16")] = Scratch(4);
        table[("vector", "sum_partials")] = Scratch(8);
        table[("fisher", "fisher_sum_partials")] = Scratch(8);
        return table;
    }
}
