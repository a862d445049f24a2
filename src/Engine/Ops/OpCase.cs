namespace NativeTrustRegion.Engine;

/// <summary>
/// One op case, written once (ggml's test-backend-ops, candle's <c>test_device!</c>) and run by every check it names in
/// <see cref="Checks"/>: the float64 gradient check on the CPU (tests/Engine.Tests/OpCaseGradientTests.cs) and the
/// float32 parity check against the CPU on the emulated or real GPU (<see cref="Backends.Cuda.CudaParitySuite"/>).
/// Either a differentiable <see cref="Function"/> of <see cref="Inputs"/> (the parity check compares the output and
/// every input's gradient of Σ f(x)·W for a fixed random W, the gradient check compares that gradient with central
/// differences), or a <see cref="Compute"/> run on each device whose arrays are compared (optimizer and Fisher kernels,
/// fills: parity only). Cases live beside their op, in <c>src/Engine/Ops/&lt;Folder&gt;/&lt;Folder&gt;.Cases.cs</c>.
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

    public override string ToString() => Name;
}
