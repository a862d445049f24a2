using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Benchmarks;

/// <summary>
/// The kernel benchmark, driven by the op-case table: every case flagged <see cref="OpChecks.Benchmark"/> (the models'
/// real layer shapes, beside the op in its <c>*.Cases.cs</c>) is timed on one device with the back end's own timer
/// (CUDA events on a GPU, a stopwatch between synchronisations on the CPU): a differentiable case forward (gradients
/// off) and forward+backward (recorded, then the backward pass from a fixed random output gradient), a prepared case
/// (optimizer and Fisher kernels) by its call alone. Inputs are random, never zeros. Each pass is set against the
/// fewest bytes it must move (inputs read and outputs written once per pass; forward+backward: 3·inputs + 2·output)
/// or the flops it must do (<see cref="OpCase.Flops"/>; ×3 for forward+backward), and against two references
/// measured in the same run on the same device: a device-to-device copy (bandwidth) and a large GEMM at the back
/// end's matmul precision (flop rate).
/// </summary>
public sealed class KernelBenchmarkSuite
{
    private const int Float32Bytes = 4;

    private readonly IBackend _backend;
    private readonly KernelBenchmarkOptions _options;

    public KernelBenchmarkSuite(Device device, KernelBenchmarkOptions options)
    {
        if (options.Warmup < 0 || options.Repeats < 1 || !(options.SecondsPerPass > 0))
        {
            throw new ArgumentException($"benchmark options need warm-up ≥ 0, repeats ≥ 1 and seconds per pass > 0 (got {options.Warmup}, {options.Repeats}, {options.SecondsPerPass})", nameof(options));
        }
        _backend = BackendRegistry.For(device);
        _options = options;
    }

    /// <summary>Every benchmark case of the op-case table, in table order.</summary>
    public static IReadOnlyList<OpCase> Cases => OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Benchmark)).ToArray();

    /// <summary>The cases this run times (<see cref="KernelBenchmarkOptions.Filter"/> applied).</summary>
    public IReadOnlyList<OpCase> Selected =>
        Cases.Where(c => _options.Filter is null || c.Name.Contains(_options.Filter, StringComparison.OrdinalIgnoreCase)).ToArray();

    /// <summary>Times the two references, then every selected case, reporting each result as it is measured.</summary>
    public KernelBenchmarkReport Run(Action<KernelBenchmarkResult>? report = null)
    {
        using var timer = _backend.CreateStepTimer();
        var copy = Measured(TimeCopy(timer), report);
        var gemm = Measured(TimeGemm(timer), report);
        _backend.Pool.Trim();
        var cases = new List<KernelBenchmarkResult>();
        foreach (var c in Selected)
        {
            try
            {
                using var scope = TensorScope.Begin();
                var passes = c.Function is not null ? TimeFunction(timer, c) : TimePrepared(timer, c);
                foreach (var r in passes)
                {
                    cases.Add(Measured(r, report));
                }
            }
            finally
            {
                GradTape.Current.Clear();
                // the case's buffers go back to the device (and, on the CPU, the garbage collector), not to the next
                // case's high-water mark
                _backend.Pool.Trim();
                GC.Collect();
            }
        }
        return new KernelBenchmarkReport(_backend.Description, timer.Method, _backend.Precision, KernelSources(), _options, copy, gemm, cases);
    }

    private static KernelBenchmarkResult Measured(KernelBenchmarkResult r, Action<KernelBenchmarkResult>? report)
    {
        report?.Invoke(r);
        return r;
    }

    private bool HasDeviceMemory => _backend.Description.TotalMemoryBytes is not null;

    private KernelBenchmarkResult TimeCopy(IStepTimer timer)
    {
        var bytes = _options.CopyBytes ?? (HasDeviceMemory ? 1L << 30 : 256L << 20);
        using var scope = TensorScope.Begin();
        var a = Tensor.Randn([checked((int)(bytes / Float32Bytes))], new Generator(17), device: _backend.Device);
        var b = Tensor.EmptyLike(a);
        var (ms, calls) = Median(timer, () => _backend.Copy(a, b));
        return new("copy (reference)", "reference", KernelBenchmarkPass.Reference, Shapes([a.Shape]), ms, 2.0 * bytes, 0, calls);
    }

    private KernelBenchmarkResult TimeGemm(IStepTimer timer)
    {
        var n = _options.GemmSize ?? (HasDeviceMemory ? 4096 : 1024);
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn([n, n], new Generator(18), device: _backend.Device);
        var w = Tensor.Randn([n, n], new Generator(19), device: _backend.Device);
        var y = Tensor.EmptyLike(x);
        var (ms, calls) = Median(timer, () => _backend.Gemm(false, false, n, n, n, 1, x, 0, w, 0, 0, y, 0, 1));
        return new($"gemm {_backend.Precision} (reference)", "reference", KernelBenchmarkPass.Reference, Shapes([x.Shape, w.Shape]), ms,
            3.0 * n * n * Float32Bytes, 2.0 * n * n * n, calls);
    }

    private List<KernelBenchmarkResult> TimeFunction(IStepTimer timer, OpCase c)
    {
        var f = c.Function!;
        var inputs = c.CreateInputs(DType.F32).Select(t => t.To(_backend.Device)).ToArray();
        int[] outputShape;
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            outputShape = f(inputs).Shape;
        }
        var inputBytes = (double)inputs.Sum(t => t.Numel) * Float32Bytes;
        var outputBytes = (double)outputShape.Aggregate(1L, (a, b) => a * b) * Float32Bytes;
        var shape = Shapes(inputs.Select(t => t.Shape));

        var (forwardMs, forwardCalls) = Median(timer, () =>
        {
            using var scope = TensorScope.Begin();
            using var untracked = GradMode.NoGrad();
            f(inputs);
        });
        var forward = new KernelBenchmarkResult($"{c.Name} forward", c.Kernel, KernelBenchmarkPass.Forward, shape, forwardMs,
            inputBytes + outputBytes, c.Flops, forwardCalls);

        var outputGradient = Tensor.Randn(outputShape, new Generator(4242), device: _backend.Device);
        foreach (var t in inputs)
        {
            t.RequiresGrad = true;
        }
        var (bothMs, bothCalls) = Median(timer, () =>
        {
            using var scope = TensorScope.Begin();
            try
            {
                GradTape.Current.Backward(f(inputs), outputGradient);
            }
            finally
            {
                foreach (var t in inputs)
                {
                    t.Grad = null;
                }
                GradTape.Current.Clear();
            }
        });
        var both = new KernelBenchmarkResult($"{c.Name} forward+backward", c.Kernel, KernelBenchmarkPass.ForwardBackward, shape, bothMs,
            3 * inputBytes + 2 * outputBytes, 3 * c.Flops, bothCalls);
        return [forward, both];
    }

    private List<KernelBenchmarkResult> TimePrepared(IStepTimer timer, OpCase c)
    {
        var call = c.Prepare!(_backend.Device);
        var (ms, calls) = Median(timer, () =>
        {
            using var scope = TensorScope.Begin();
            call.Run();
        });
        return [new KernelBenchmarkResult(c.Name, c.Kernel, KernelBenchmarkPass.Call, "", ms, call.Bytes, call.Flops, calls)];
    }

    /// <summary>Median milliseconds of up to <see cref="KernelBenchmarkOptions.Repeats"/> separately timed calls after the warm-up, within the pass's time budget.</summary>
    private (double Milliseconds, int Calls) Median(IStepTimer timer, Action body)
    {
        var budgetMs = _options.SecondsPerPass * 1000;
        var spent = 0.0;
        for (var i = 0; i < _options.Warmup && (i == 0 || spent < budgetMs); i++)
        {
            spent += timer.Milliseconds(body);
        }
        var times = new List<double>();
        spent = 0;
        while (times.Count < _options.Repeats && (times.Count == 0 || spent < budgetMs))
        {
            var ms = timer.Milliseconds(body);
            times.Add(ms);
            spent += ms;
        }
        times.Sort();
        return (times[times.Count / 2], times.Count);
    }

    private static string Shapes(IEnumerable<int[]> shapes) => string.Join(" ", shapes.Select(s => TensorOpException.Format(s)));

    /// <summary>Where the kernels came from: the GPU's module load log, or the CPU's GEMM library and thread budget.</summary>
    private IReadOnlyList<string> KernelSources() => _backend switch
    {
        CudaBackend gpu => gpu.KernelLoadLog.ToArray(),
        CpuBackend => [
            OpenBlas.IsAvailable ? $"GEMM: OpenBLAS ({OpenBlas.CoreName ?? "core unknown"})" : $"GEMM: managed ({OpenBlas.UnavailableReason})",
            $"CPU kernels: managed, {_backend.ThreadBudget} threads",
        ],
        _ => [],
    };
}
