namespace NativeTrustRegion.Engine;

/// <summary>
/// One op case, written once (ggml's test-backend-ops, candle's <c>test_device!</c>) and run by every check it names in
/// <see cref="Checks"/>: the float64 gradient check on the CPU (tests/Engine.Tests/OpCaseGradientTests.cs), the
/// float32 parity check against the CPU on the emulated or real GPU (<see cref="Backends.Cuda.CudaParitySuite"/>) and
/// the kernel benchmark on any device (<see cref="Benchmarks.KernelBenchmarkSuite"/>, <c>ntr bench kernels</c>).
/// Either a differentiable <see cref="Function"/> of <see cref="Inputs"/> (the parity check compares the output and
/// every input's gradient of Σ f(x)·W for a fixed random W, the gradient check compares that gradient with central
/// differences, the benchmark times the forward pass and forward+backward), or a <see cref="Compute"/> run on each
/// device whose arrays are compared (optimizer and Fisher kernels, fills: parity only); a Compute made by
/// <see cref="Prepared"/> also has a <see cref="Prepare"/>, whose call alone the benchmark times. Cases live beside
/// their op, in <c>src/Engine/Ops/&lt;Folder&gt;/&lt;Folder&gt;.Cases.cs</c>.
/// </summary>
public sealed record OpCase
{
    /// <summary>"Folder/Kernel": the op folder under src/Engine/Ops and the file stem of the kernel the case exercises (Attention/Softmax, Linear/Gemm).</summary>
    public required string Kernel { get; init; }

    /// <summary>The op folder: <see cref="Kernel"/> up to the slash.</summary>
    public string Op => Kernel.Split('/')[0];

    /// <summary>Unique over the table; the parity report and the gradient test name cases by it.</summary>
    public required string Name { get; init; }

    public Func<Tensor[], Tensor>? Function { get; init; }

    public IReadOnlyList<OpInput> Inputs { get; init; } = [];

    /// <summary>For cases that are not a differentiable function of tensors: the arrays to compare, computed on the given device.</summary>
    public Func<Device, double[][]>? Compute { get; init; }

    /// <summary>
    /// For a <see cref="Compute"/> made by <see cref="Prepared"/>: puts the inputs on the device and returns the call, so
    /// the benchmark can time the call without its set-up.
    /// </summary>
    public Func<Device, OpCall>? Prepare { get; init; }

    /// <summary>
    /// Floating-point operations of one forward call of <see cref="Function"/> (2mnk for a product, 2·N·Cout·Hout·Wout·Cin·k²
    /// for a convolution, 4·B·H·N·M·d for attention); 0 for memory-bound ops. The benchmark counts forward+backward as
    /// three times this (the backward pass of a product is two products of the same size).
    /// </summary>
    public double Flops { get; init; }

    public OpChecks Checks { get; init; } = OpChecks.Gradient | OpChecks.Parity;

    /// <summary>Largest parity relative error allowed (<see cref="OpTolerance"/>).</summary>
    public double Tolerance { get; init; } = OpTolerance.Float32;

    /// <summary>The GPU's matmul precision for the whole parity case, forward and backward (null: the back end's own).</summary>
    public MatmulPrecision? Precision { get; init; }

    /// <summary>Relative tolerance of the float64 gradient check (|analytic − numeric| ≤ 1e-7 + rtol·|numeric|).</summary>
    public double GradientRtol { get; init; } = 1e-5;

    /// <summary>Points where the op is not differentiable (Abs and Relu at 0, Clamp at its bounds): inputs are kept away from them.</summary>
    public IReadOnlyList<double> AwayFrom { get; init; } = [];

    /// <summary>
    /// Kernels whose backward is not differentiable yet: a create-graph backward (second-order gradient) through them
    /// throws <see cref="Autograd.SecondOrderNotSupportedException"/>. Every other gradient-checked case is also checked
    /// at second order (tests/Engine.Tests/OpCaseSecondOrderTests.cs); these are checked to fail with that error.
    /// </summary>
    public static readonly IReadOnlySet<string> KernelsWithoutSecondOrder = new HashSet<string>(StringComparer.Ordinal)
    {
        "Pooling/MaxPool2d",
    };

    /// <summary>Whether the op's backward is differentiable (second-order gradients, Hessian-vector products).</summary>
    public bool HasSecondOrder => !KernelsWithoutSecondOrder.Contains(Kernel);

    /// <summary>
    /// The op rounds (a cast to a narrower dtype): its derivative is 0 almost everywhere and its gradient is, by
    /// definition, the output's gradient cast back (straight through), so central differences cannot check it. Such a
    /// kernel needs no gradient-checked case; tests/Engine.Tests/BFloat16Tests.cs checks its gradient bit for bit.
    /// </summary>
    public bool StraightThroughGradient { get; init; }

    /// <summary>Calls cuBLAS or cuDNN (GEMM, convolution, Gram matrices): on the emulated device it needs the vendor stand-ins.</summary>
    public bool UsesVendorLibrary { get; init; }

    /// <summary>The inputs as CPU tensors of <paramref name="dtype"/> (float32 for parity, float64 for the gradient check).</summary>
    public Tensor[] CreateInputs(DType dtype) => Inputs.Select(i => i.Create(dtype, AwayFrom)).ToArray();

    /// <summary>A differentiable case of one input: gradient-checked and parity-checked unless <see cref="Checks"/> says otherwise.</summary>
    public static OpCase Autograd(string kernel, string name, Func<Tensor[], Tensor> function, OpInput a) => Make(kernel, name, function, [a]);

    public static OpCase Autograd(string kernel, string name, Func<Tensor[], Tensor> function, OpInput a, OpInput b) => Make(kernel, name, function, [a, b]);

    public static OpCase Autograd(string kernel, string name, Func<Tensor[], Tensor> function, OpInput a, OpInput b, OpInput c) => Make(kernel, name, function, [a, b, c]);

    public static OpCase Autograd(string kernel, string name, Func<Tensor[], Tensor> function, OpInput a, OpInput b, OpInput c, OpInput d, OpInput e) =>
        Make(kernel, name, function, [a, b, c, d, e]);

    private static OpCase Make(string kernel, string name, Func<Tensor[], Tensor> function, OpInput[] inputs) =>
        new() { Kernel = kernel, Name = name, Function = function, Inputs = inputs };

    /// <summary>A parity-only case comparing the arrays <paramref name="compute"/> gives on each device.</summary>
    public static OpCase Comparison(string kernel, string name, double tolerance, Func<Device, double[][]> compute) =>
        new() { Kernel = kernel, Name = name, Compute = compute, Checks = OpChecks.Parity, Tolerance = tolerance };

    /// <summary>
    /// A parity-only case whose device work is prepared apart from its call (<see cref="Prepare"/>): the parity check
    /// runs the call once and compares the arrays it leaves on each device; add <see cref="OpChecks.Benchmark"/> to
    /// <see cref="Checks"/> and the benchmark times the call alone.
    /// </summary>
    public static OpCase Prepared(string kernel, string name, double tolerance, Func<Device, OpCall> prepare) =>
        new()
        {
            Kernel = kernel,
            Name = name,
            Prepare = prepare,
            Compute = d =>
            {
                var call = prepare(d);
                call.Run();
                return call.Results();
            },
            Checks = OpChecks.Parity,
            Tolerance = tolerance,
        };

    public override string ToString() => Name;
}
