using System.Diagnostics;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The GPU parity suite (ggml's test-backend-ops idea): every op forward and backward, and the optimizer and Fisher
/// kernels, run on the GPU and on the CPU reference with the same inputs (drawn on the CPU, copied up), compared by
/// <see cref="ParityComparison.RelativeError"/> against a tolerance stated per case. Autograd cases compare the
/// output and the gradient of every input of Σ f(x)·W for a fixed random W.
/// Tolerances: 1e-5 for float32 kernels (reductions included); 5e-3 where TF32 tensor cores multiply (GEMM,
/// convolution); 0 where the GPU must be bit-identical (uniform fills, dropout masks, copies, Adam, pooling).
/// </summary>
public sealed class CudaParitySuite
{
    private const double Float32 = 1e-5;
    private const double Tf32 = 5e-3;
    private const double Exact = 0;

    private readonly CudaBackend _gpu;
    private readonly List<(string Name, double Tolerance, Func<double> Run)> _cases = new();
    private readonly HashSet<string> _vendorCases = new(StringComparer.Ordinal);

    public CudaParitySuite(CudaBackend gpu)
    {
        _gpu = gpu;
        AddElementwise();
        AddReductionsAndViews();
        var before = _cases.Count;
        AddLinearAlgebra();
        _vendorCases.UnionWith(_cases.Skip(before).Select(c => c.Name));
        AddNormalizationAndAttention();
        AddMiscOps();
        AddVectorAndFisher();
        AddPaperShapes();
    }

    public IReadOnlyList<string> CaseNames => _cases.Select(c => c.Name).ToArray();

    /// <summary>
    /// The cases that call cuBLAS or cuDNN (GEMM, convolution, the Gram matrix of gradient collinearity): on the
    /// emulated device they need the vendor stand-ins (kernels/emulator/cublas_standin.cpp, cudnn_standin.cpp).
    /// </summary>
    public IReadOnlyCollection<string> VendorLibraryCases => _vendorCases;

    /// <summary>Runs every case (or those whose name contains <paramref name="filter"/>), reporting each result as it finishes.</summary>
    public IReadOnlyList<ParityResult> Run(Action<ParityResult>? report = null, string? filter = null)
    {
        var results = new List<ParityResult>();
        foreach (var (name, tolerance, run) in _cases)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var watch = Stopwatch.StartNew();
            ParityResult result;
            try
            {
                using var scope = TensorScope.Begin();
                var error = run();
                result = new ParityResult(name, error, tolerance, null, watch.Elapsed);
            }
            catch (Exception e)
            {
                result = new ParityResult(name, double.NaN, tolerance, $"{e.GetType().Name}: {e.Message}", watch.Elapsed);
            }
            finally
            {
                GradTape.Current.Clear();
            }
            results.Add(result);
            report?.Invoke(result);
        }
        return results;
    }

    private Device Gpu => _gpu.Device;

    private static Tensor Input(Generator g, int[] shape, double scale = 1, double shift = 0)
    {
        var t = Tensor.Randn(shape, g);
        return scale == 1 && shift == 0 ? t : Ops.Affine(t, scale, shift);
    }

    /// <summary>Adds an autograd case: f on the CPU and on the GPU, output and every input gradient compared.</summary>
    /// <param name="precision">the GPU's matmul precision for the whole case, forward and backward (null: the back end's own)</param>
    private void Autograd(string name, double tolerance, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs, MatmulPrecision? precision = null)
    {
        _cases.Add((name, tolerance, () =>
        {
            var cpuInputs = inputs();
            var gpuInputs = cpuInputs.Select(t => t.To(Gpu)).ToArray();
            var cpu = OutputAndGradients(f, cpuInputs);
            var gpu = precision is { } p ? WithPrecision(p, () => OutputAndGradients(f, gpuInputs)) : OutputAndGradients(f, gpuInputs);
            var error = 0.0;
            for (var i = 0; i < cpu.Length; i++)
            {
                var e = ParityComparison.RelativeError(gpu[i], cpu[i]);
                error = double.IsNaN(e) || double.IsNaN(error) ? double.NaN : Math.Max(error, e);
            }
            return error;
        }));
    }

    private static double[][] OutputAndGradients(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        foreach (var t in inputs)
        {
            t.Grad = null;
            t.RequiresGrad = true;
        }
        var y = f(inputs);
        var weights = Tensor.Randn(y.Shape, new Generator(4242)).To(y.Device);
        GradTape.Current.Backward(Ops.SumAll(Ops.Mul(y, weights)));
        var arrays = new List<double[]> { y.ToDoubleArray() };
        arrays.AddRange(inputs.Select(t => t.Grad?.ToDoubleArray() ?? []));
        return arrays.ToArray();
    }

    /// <summary>Adds a case comparing arrays computed by the same code on each device.</summary>
    private void Compare(string name, double tolerance, Func<Device, double[][]> compute)
    {
        _cases.Add((name, tolerance, () =>
        {
            var cpu = compute(Device.Cpu);
            var gpu = compute(Gpu);
            var error = 0.0;
            for (var i = 0; i < cpu.Length; i++)
            {
                error = Math.Max(error, ParityComparison.RelativeError(gpu[i], cpu[i]));
            }
            return error;
        }));
    }

    private void AddElementwise()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            Autograd($"binary {op} broadcast [4,5,6]·[5,1]", Float32, t => Ops.Binary(op, t[0], t[1]),
                () => [Input(new Generator(1), [4, 5, 6]), Input(new Generator(2), [5, 1], 0.3, op == BinaryOp.Div ? 2 : 0)]);
        }
        Autograd("binary Mul contiguous 1M", Float32, t => Ops.Mul(t[0], t[1]), () => [Input(new Generator(3), [1024, 1024]), Input(new Generator(4), [1024, 1024])]);
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var positive = op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Reciprocal;
            Autograd($"unary {op}", Float32, t => Ops.Unary(op, t[0]), () => [Input(new Generator(10 + (ulong)op), [33, 65], positive ? 0.2 : 2, positive ? 2 : 0)]);
        }
        Autograd("affine", Float32, t => Ops.Affine(t[0], -1.5, 0.25), () => [Input(new Generator(30), [1000])]);
        Autograd("clamp", Float32, t => Ops.Clamp(t[0], -0.5, 0.7), () => [Input(new Generator(31), [1000])]);
    }

    private void AddReductionsAndViews()
    {
        // Sums of 10^5–10^6 terms into one output: both devices accumulate in float32 in different orders (the CPU's
        // SIMD blocks, the GPU's warp lanes and split partials), so they agree only to ~eps·√(terms per accumulator):
        // measured on the emulated device 3.3e-5 (274,560 terms) and 3.9e-5 (2M), and 2.5e-5 for 2M terms of mean 1,
        // so it is the length of the sums, not cancellation. Those cases get 1e-4; shorter sums keep float32's 1e-5.
        // (A pairwise or float64-accumulating reduction on both devices would tighten this; not done.)
        const double longSum = 1e-4;
        int[][] axes = [[0], [1], [2], [0, 2], [0, 1, 2]];
        foreach (var a in axes)
        {
            var tolerance = a.Length == 3 ? longSum : Float32;
            Autograd($"sum axes [{string.Join(",", a)}] of [64,33,130]", tolerance, t => Ops.Sum(t[0], a, keepDim: true), () => [Input(new Generator(40), [64, 33, 130])]);
        }
        Autograd("sum all of 2M", longSum, t => Ops.SumAll(t[0]), () => [Input(new Generator(41), [2048, 1024])]);
        Autograd("sum axes [0,1,2] of [64,33,130], mean 1", longSum, t => Ops.Sum(t[0], [0, 1, 2], keepDim: true), () => [Input(new Generator(40), [64, 33, 130], 1, 1)]);
        Autograd("sum all of 2M, mean 1", longSum, t => Ops.SumAll(t[0]), () => [Input(new Generator(41), [2048, 1024], 1, 1)]);
        Autograd("bias-gradient column sum [16384,256]", Float32, t => Ops.Sum(t[0], [0]), () => [Input(new Generator(42), [16384, 256])]);
        Autograd("permute + contiguous (strided copy)", Exact, t => t[0].Permute(2, 0, 1).Contiguous(), () => [Input(new Generator(43), [7, 9, 11])]);
        Autograd("concat / slice / expand", Float32, t => Ops.Concat([t[0], t[1].Slice(1, 0, 2).Expand(3, 2, 5)], 1), () => [Input(new Generator(44), [3, 4, 5]), Input(new Generator(45), [1, 3, 5])]);
        Compare("cast f32→f64→f32", Exact, d =>
        {
            var x = Input(new Generator(46), [5000]).To(d);
            return [x.To(DType.F64).To(DType.F32).ToDoubleArray(), x.To(DType.F64).ToDoubleArray()];
        });
    }

    private void AddLinearAlgebra()
    {
        foreach (var tf32 in new[] { false, true })
        {
            var tol = tf32 ? Tf32 : Float32;
            var label = tf32 ? "TF32" : "FP32";
            var precision = tf32 ? MatmulPrecision.Tf32 : MatmulPrecision.Fp32;
            Autograd($"matmul [96,160]·[160,80] {label}", tol, t => Ops.MatMul(t[0], t[1]), () => [Input(new Generator(50), [96, 160]), Input(new Generator(51), [160, 80])], precision);
            Autograd($"batched matmul with transposed views {label}", tol, t => Ops.MatMul(t[0].Transpose(1, 2), t[1]), () => [Input(new Generator(52), [6, 40, 24]), Input(new Generator(53), [6, 40, 56])], precision);
            Autograd($"linear with bias [8,20,64]→48 {label}", tol, t => Ops.Linear(t[0], t[1], t[2]), () => [Input(new Generator(54), [8, 20, 64]), Input(new Generator(55), [48, 64], 0.2), Input(new Generator(56), [48])], precision);
            Autograd($"conv2d 3x3 pad 1 [8,16,16,16]→32 {label}", tol, t => Ops.Conv2d(t[0], t[1], t[2], 1, 1),
                () => [Input(new Generator(57), [8, 16, 16, 16]), Input(new Generator(58), [32, 16, 3, 3], 0.1), Input(new Generator(59), [32])], precision);
        }
        Autograd("conv2d 3x3 stride 2 [4,8,15,15]→16", Tf32, t => Ops.Conv2d(t[0], t[1], t[2], 2, 1), () => [Input(new Generator(60), [4, 8, 15, 15]), Input(new Generator(61), [16, 8, 3, 3], 0.2), Input(new Generator(62), [16])]);
        Autograd("conv2d 1x1 [4,32,8,8]→16", Tf32, t => Ops.Conv2d(t[0], t[1], null), () => [Input(new Generator(63), [4, 32, 8, 8]), Input(new Generator(64), [16, 32, 1, 1], 0.2)]);
        Autograd("conv2d 1x7 pad (0,3) [2,16,9,9]→24", Tf32, t => Ops.Conv2d(t[0], t[1], t[2], (1, 1), (0, 3)), () => [Input(new Generator(71), [2, 16, 9, 9]), Input(new Generator(72), [24, 16, 1, 7], 0.2), Input(new Generator(73), [24])]);
        Autograd("conv2d 7x1 pad (3,0) [2,16,9,9]→24", Tf32, t => Ops.Conv2d(t[0], t[1], t[2], (1, 1), (3, 0)), () => [Input(new Generator(74), [2, 16, 9, 9]), Input(new Generator(75), [24, 16, 7, 1], 0.2), Input(new Generator(76), [24])]);
        Autograd("conv1d k5 pad 2 [4,16,16]→32", Tf32, t => Ops.Conv1d(t[0], t[1], t[2], 1, 2), () => [Input(new Generator(65), [4, 16, 16]), Input(new Generator(66), [32, 16, 5], 0.2), Input(new Generator(67), [32])]);
        Autograd("conv-transpose1d k4 s2 p1 [4,16,8]→8", Tf32, t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1), () => [Input(new Generator(68), [4, 16, 8]), Input(new Generator(69), [16, 8, 4], 0.2), Input(new Generator(70), [8])]);
    }

    private T WithPrecision<T>(MatmulPrecision precision, Func<T> body)
    {
        var saved = _gpu.Precision;
        _gpu.Precision = precision;
        try
        {
            return body();
        }
        finally
        {
            _gpu.Precision = saved;
        }
    }

    private void AddNormalizationAndAttention()
    {
        Autograd("groupnorm [4,32,8,8] g8 affine", Float32, t => Ops.GroupNorm(t[0], 8, t[1], t[2]),
            () => [Input(new Generator(80), [4, 32, 8, 8], 2, 0.5), Input(new Generator(81), [32], 1, 1), Input(new Generator(82), [32])]);
        Autograd("groupnorm [2,16,10] g4 no affine", Float32, t => Ops.GroupNorm(t[0], 4, null, null), () => [Input(new Generator(83), [2, 16, 10])]);
        Autograd("groupnorm [2,64,32,32] g32 (group > 48 KB cache)", Float32, t => Ops.GroupNorm(t[0], 2, t[1], t[2]),
            () => [Input(new Generator(84), [2, 64, 32, 32]), Input(new Generator(85), [64], 1, 1), Input(new Generator(86), [64])]);
        Autograd("groupnorm+silu [4,32,8,8]", Float32, t => Ops.GroupNormSiLU(t[0], 8, t[1], t[2]),
            () => [Input(new Generator(87), [4, 32, 8, 8]), Input(new Generator(88), [32], 1, 1), Input(new Generator(89), [32])]);
        Autograd("groupnorm+film+silu [4,32,8,8]", Float32, t => Ops.GroupNormSiLU(t[0], 8, t[1], t[2], t[3], t[4]),
            () => [Input(new Generator(90), [4, 32, 8, 8]), Input(new Generator(91), [32], 1, 1), Input(new Generator(92), [32]), Input(new Generator(93), [4, 32], 0.5, 1), Input(new Generator(94), [4, 32])]);
        Autograd("layernorm [64,96]", Float32, t => Ops.LayerNorm(t[0], t[1], t[2]), () => [Input(new Generator(95), [64, 96], 2, 0.3), Input(new Generator(96), [96], 1, 1), Input(new Generator(97), [96])]);
        Autograd("softmax [32,100]", Float32, t => Ops.Softmax(t[0]), () => [Input(new Generator(98), [32, 100], 3)]);
        (int B, int H, int N, int M, int D)[] shapes = [(2, 4, 64, 64, 8), (2, 2, 50, 50, 32), (1, 2, 17, 33, 64), (1, 1, 40, 40, 128), (2, 3, 31, 31, 20), (2, 32, 64, 64, 8)];
        foreach (var s in shapes)
        {
            Autograd($"attention B{s.B} H{s.H} N{s.N} M{s.M} d{s.D}", 1e-4, t => Ops.ScaledDotProductAttention(t[0], t[1], t[2]),
                () => [Input(new Generator(100), [s.B, s.H, s.N, s.D]), Input(new Generator(101), [s.B, s.H, s.M, s.D]), Input(new Generator(102), [s.B, s.H, s.M, s.D])]);
        }
    }

    private void AddMiscOps()
    {
        Autograd("embedding [10,16]", Float32, t => Ops.Embedding(t[0], Tensor.FromArray(new float[] { 3, 0, 9, 3, 3, 7 }, 6).To(t[0].Device)), () => [Input(new Generator(110), [10, 16])]);
        Autograd("mse loss [8,3,16,16]", Float32, t => Ops.MseLoss(t[0], t[1]), () => [Input(new Generator(111), [8, 3, 16, 16]), Input(new Generator(112), [8, 3, 16, 16])]);
        Autograd("dropout p=0.3 (same mask)", Float32, t => Ops.Dropout(t[0], 0.3, new Generator(7)), () => [Input(new Generator(113), [100, 37])]);
        Autograd("upsample nearest 2x [2,3,5,7]", Exact, t => Ops.UpsampleNearest2x(t[0]), () => [Input(new Generator(114), [2, 3, 5, 7])]);
        Autograd("avgpool 2x2 [2,3,6,8]", Exact, t => Ops.AvgPool2x2(t[0]), () => [Input(new Generator(115), [2, 3, 6, 8])]);
        Autograd("maxpool2d k3 s2 [2,3,15,14]", Exact, t => Ops.MaxPool2d(t[0], 3, 2), () => [Input(new Generator(122), [2, 3, 15, 14])]);
        Autograd("maxpool2d k3 s1 p1 [2,3,9,8]", Exact, t => Ops.MaxPool2d(t[0], 3, 1, 1), () => [Input(new Generator(123), [2, 3, 9, 8])]);
        Autograd("avgpool2d k3 s1 p1 exclude pad [2,3,9,8]", Exact, t => Ops.AvgPool2d(t[0], 3, 1, 1, countIncludePad: false), () => [Input(new Generator(124), [2, 3, 9, 8])]);
        Autograd("avgpool2d k3 s2 p1 include pad [2,3,9,8]", Exact, t => Ops.AvgPool2d(t[0], 3, 2, 1, countIncludePad: true), () => [Input(new Generator(125), [2, 3, 9, 8])]);
        Autograd("resize bilinear [2,3,16,16]→[37,29]", Float32, t => Ops.ResizeBilinear(t[0], 37, 29), () => [Input(new Generator(126), [2, 3, 16, 16])]);
        Autograd("resize bilinear [2,3,32,32]→[299,299]", Float32, t => Ops.ResizeBilinear(t[0], 299, 299), () => [Input(new Generator(127), [2, 3, 32, 32])]);
        Autograd("resize bilinear [1,2,20,24]→[7,9]", Float32, t => Ops.ResizeBilinear(t[0], 7, 9), () => [Input(new Generator(128), [1, 2, 20, 24])]);
        Autograd("film [8,32,2]", Float32, t => Ops.FiLM(t[0], t[1], t[2]), () => [Input(new Generator(116), [8, 32, 2]), Input(new Generator(117), [8, 32]), Input(new Generator(118), [8, 32])]);
        Autograd("film [4,16,45]", Float32, t => Ops.FiLM(t[0], t[1], t[2]), () => [Input(new Generator(119), [4, 16, 45]), Input(new Generator(120), [4, 16]), Input(new Generator(121), [4, 16])]);
        Compare("timestep embedding dim 64 / 33", 1e-6, d =>
        {
            var t = Tensor.FromArray(new float[] { 0, 1, 17, 999, 250.5f }, 5).To(d);
            return [Ops.TimestepEmbedding(t, 64, true).ToDoubleArray(), Ops.TimestepEmbedding(t, 33, false, 1).ToDoubleArray()];
        });
        Compare("philox uniform fill (bit-identical)", Exact, d => [Tensor.Rand([100003], new Generator(9, 12345), -2, 3, device: d).ToDoubleArray()]);
        Compare("philox normal fill f32", 1e-6, d => [Tensor.Randn([100003], new Generator(10, 77), device: d).ToDoubleArray()]);
        Compare("philox normal fill f64", 1e-14, d => [Tensor.Randn([10007], new Generator(11), DType.F64, d).ToDoubleArray()]);
    }

    private void AddVectorAndFisher()
    {
        const int p = 1_000_003;
        Compare("axpby", Exact, d =>
        {
            var x = Input(new Generator(130), [p]).To(d);
            var y = Input(new Generator(131), [p]).To(d);
            VectorOps.Axpby(0.5, x, -1.25, y);
            return [y.ToDoubleArray()];
        });
        Compare("dot (double accumulation)", 1e-12, d => [[VectorOps.Dot(Input(new Generator(132), [p]).To(d), Input(new Generator(133), [p]).To(d))]]);
        Compare("adam update (bit-identical)", Exact, d =>
        {
            var (param, grad, m, v) = AdamState(d, p);
            param.Backend.AdamUpdate(param, grad, m, v, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, 5));
            return [param.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray()];
        });
        foreach (var k in new[] { 1, 3, 9, 17 })
        {
            Compare($"rank-1 penalty gradient k={k}", 1e-6, d =>
            {
                var (param, grad, _, _) = AdamState(d, p);
                var (dirs, rho, anchors) = Directions(d, k, p);
                var penalty = Rank1Fisher.PenaltyGradient(param, grad, dirs, rho, anchors, 0.5);
                return [grad.ToDoubleArray(), [penalty]];
            });
            Compare($"fused rank-1 Fisher + Adam k={k}", 1e-6, d =>
            {
                var (param, grad, m, v) = AdamState(d, p);
                var (dirs, rho, anchors) = Directions(d, k, p);
                var penalty = Tensor.Zeros([], device: d);
                Rank1Fisher.AdamStep(param, grad, m, v, dirs, rho, anchors, 0.5, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, 3), penalty);
                return [param.ToDoubleArray(), grad.ToDoubleArray(), m.ToDoubleArray(), v.ToDoubleArray(), penalty.ToDoubleArray()];
            });
        }
        _vendorCases.Add("gradient collinearity [48, 20000]");
        Compare("gradient collinearity [48, 20000]", 1e-5, d =>
        {
            var u = Input(new Generator(140), [1, 20000]);
            var noise = Input(new Generator(141), [48, 20000], 0.3);
            var coef = Input(new Generator(142), [48, 1], 0.2, 1);
            var g = Ops.Add(Ops.Mul(coef, u.Expand(48, 20000)), noise).To(d);
            var (cos, gram) = GradientCollinearity.Compute(g);
            return [cos.ToDoubleArray(), gram.ToDoubleArray()];
        });
    }

    /// <summary>
    /// Layers of the paper models at their real per-sample shapes (small batches, so the emulated device runs them in
    /// seconds): image-paper (ModelPresets) has 384-channel GroupNorms at 32x32 (256 + 128 skip channels, 32 groups:
    /// 12,288 floats per group), 32 heads of 8 at 8x8 and 4x4, a 500x512 class embedding and 128-wide timestep
    /// features; policy-paper has 8 heads of 64 (512 channels, 4 positions) and of 128 (1024 channels, 2 positions) and
    /// 512-wide timestep features.
    /// </summary>
    private void AddPaperShapes()
    {
        Autograd("groupnorm image-paper [1,384,32,32] g32", Float32, t => Ops.GroupNorm(t[0], 32, t[1], t[2]),
            () => [Input(new Generator(170), [1, 384, 32, 32], 2, 0.5), Input(new Generator(171), [384], 1, 1), Input(new Generator(172), [384])]);
        Autograd("groupnorm+silu image-paper [2,256,16,16] g32", Float32, t => Ops.GroupNormSiLU(t[0], 32, t[1], t[2]),
            () => [Input(new Generator(173), [2, 256, 16, 16]), Input(new Generator(174), [256], 1, 1), Input(new Generator(175), [256])]);
        (string Model, int B, int H, int N, int D)[] attention = [("image-paper 8x8", 2, 32, 64, 8), ("image-paper mid 4x4", 4, 32, 16, 8), ("policy-paper 512", 4, 8, 4, 64), ("policy-paper 1024", 4, 8, 2, 128)];
        foreach (var a in attention)
        {
            Autograd($"attention {a.Model} B{a.B} H{a.H} N{a.N} d{a.D}", 1e-4, t => Ops.ScaledDotProductAttention(t[0], t[1], t[2]),
                () => [Input(new Generator(176), [a.B, a.H, a.N, a.D]), Input(new Generator(177), [a.B, a.H, a.N, a.D]), Input(new Generator(178), [a.B, a.H, a.N, a.D])]);
        }
        Autograd("embedding image-paper classes [500,512] batch 128", Float32, t => Ops.Embedding(t[0], ClassIds(128, 500).To(t[0].Device)), () => [Input(new Generator(179), [500, 512])]);
        Compare("timestep embedding image-paper 128 / policy-paper 512", 1e-6, d =>
        {
            var image = Tensor.FromArray(Enumerable.Range(0, 128).Select(i => (float)(i * 7 % 1000)).ToArray(), 128).To(d);
            var policy = Tensor.FromArray(Enumerable.Range(0, 256).Select(i => (float)(i * 3 % 100)).ToArray(), 256).To(d);
            return [Ops.TimestepEmbedding(image, 128, true, 0).ToDoubleArray(), Ops.TimestepEmbedding(policy, 512, false, 1).ToDoubleArray()];
        });
    }

    /// <summary>Class ids spread over 0..classes-1 in a fixed scrambled order; every fourth sample repeats an earlier id (so some rows of the gradient collect two samples).</summary>
    private static Tensor ClassIds(int count, int classes) =>
        Tensor.FromArray(Enumerable.Range(0, count).Select(i => (float)((i * 3 / 4) * 37 % classes)).ToArray(), count);

    private static (Tensor Param, Tensor Grad, Tensor M, Tensor V) AdamState(Device d, int p) =>
        (Input(new Generator(150), [p]).To(d), Input(new Generator(151), [p], 0.1).To(d), Input(new Generator(152), [p], 0.01).To(d),
            Ops.Square(Input(new Generator(153), [p], 0.01)).To(d));

    private static (Tensor Directions, double[] Rho, double[] Anchors) Directions(Device d, int k, int p)
    {
        var dirs = Ops.Affine(Input(new Generator(160), [k, p]), 1 / Math.Sqrt(p), 0).To(d);
        var rho = Enumerable.Range(0, k).Select(i => 1.0 + i).ToArray();
        var anchors = Enumerable.Range(0, k).Select(i => 0.1 * i - 0.2).ToArray();
        return (dirs, rho, anchors);
    }
}
