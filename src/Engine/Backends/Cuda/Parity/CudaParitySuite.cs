using System.Diagnostics;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The GPU parity suite (ggml's test-backend-ops idea): every op forward and backward, and the optimizer and Fisher
/// kernels, run on the GPU and on the CPU reference with the same inputs (drawn on the CPU, copied up), compared by
/// <see cref="ParityComparison.RelativeError"/> against a tolerance stated per case. The cases are the parity cases of
/// the op-case table (<see cref="OpCaseTable"/>, one <c>*.Cases.cs</c> per op folder; tolerances in
/// <see cref="OpTolerance"/>), plus the tensor-level checks that belong to no op (casts, Philox fills). Autograd cases
/// compare the output and the gradient of every input of Σ f(x)·W for a fixed random W.
/// </summary>
public sealed class CudaParitySuite
{
    private readonly CudaBackend _gpu;
    private readonly List<(string Name, double Tolerance, Func<double> Run)> _cases = new();
    private readonly HashSet<string> _vendorCases = new(StringComparer.Ordinal);

    public CudaParitySuite(CudaBackend gpu)
    {
        _gpu = gpu;
        foreach (var c in OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Parity)))
        {
            if (c.Function is { } f)
            {
                Autograd(c.Name, c.Tolerance, f, () => c.CreateInputs(DType.F32), c.Precision);
            }
            else
            {
                Compare(c.Name, c.Tolerance, c.Compute!);
            }
            if (c.UsesVendorLibrary)
            {
                _vendorCases.Add(c.Name);
            }
        }
        // second order: the small (gradient-checked) cases again, comparing the create-graph gradient and H·v
        foreach (var c in OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Parity | OpChecks.Gradient) && c.HasSecondOrder))
        {
            var name = $"{c.Name} second order";
            // FP32 GEMMs unless the case says otherwise: attention's second order recomposes it from MatMuls
            SecondOrder(name, Math.Max(c.Tolerance, OpTolerance.SecondOrder), c.Function!, () => c.CreateInputs(DType.F32), c.Precision ?? MatmulPrecision.Fp32);
            if (c.UsesVendorLibrary || c.Kernel == "Attention/Attention")
            {
                _vendorCases.Add(name);
            }
        }
        AddTensorChecks();
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

    /// <summary>
    /// Adds a second-order case: on each device the create-graph gradient of Σ f(x)·W (<see cref="GradTape.Gradients"/>)
    /// and the Hessian-vector product H·v (backward of Σ ∇·v) for fixed random directions v, compared.
    /// </summary>
    private void SecondOrder(string name, double tolerance, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs, MatmulPrecision? precision)
    {
        _cases.Add((name, tolerance, () =>
        {
            var cpuInputs = inputs();
            var gpuInputs = cpuInputs.Select(t => t.To(Gpu)).ToArray();
            var cpu = GradientsAndHessianVectorProducts(f, cpuInputs);
            var gpu = precision is { } p ? WithPrecision(p, () => GradientsAndHessianVectorProducts(f, gpuInputs)) : GradientsAndHessianVectorProducts(f, gpuInputs);
            var error = 0.0;
            for (var i = 0; i < cpu.Length; i++)
            {
                var e = ParityComparison.RelativeError(gpu[i], cpu[i]);
                error = double.IsNaN(e) || double.IsNaN(error) ? double.NaN : Math.Max(error, e);
            }
            return error;
        }));
    }

    private static double[][] GradientsAndHessianVectorProducts(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        foreach (var t in inputs)
        {
            t.Grad = null;
            t.RequiresGrad = true;
        }
        var y = f(inputs);
        var weights = Tensor.Randn(y.Shape, new Generator(4242)).To(y.Device);
        var gradients = GradTape.Current.Gradients(Ops.SumAll(Ops.Mul(y, weights)), inputs);
        var inner = gradients.Select((g, k) => Ops.SumAll(Ops.Mul(g, Tensor.Randn(g.Shape, new Generator(4300 + (ulong)k)).To(g.Device)))).Aggregate(Ops.Add);
        var arrays = gradients.Select(g => g.ToDoubleArray()).ToList();
        if (inner.RequiresGrad)
        {
            GradTape.Current.Backward(inner);
        }
        arrays.AddRange(inputs.Select(t => t.Grad?.ToDoubleArray() ?? new double[t.Numel]));
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

    /// <summary>Tensor-level checks that belong to no op folder: dtype casts and the Philox random fills.</summary>
    private void AddTensorChecks()
    {
        Compare("cast f32→f64→f32", OpTolerance.Exact, d =>
        {
            var x = Tensor.Randn([5000], new Generator(46)).To(d);
            return [x.To(DType.F64).To(DType.F32).ToDoubleArray(), x.To(DType.F64).ToDoubleArray()];
        });
        Compare("philox uniform fill (bit-identical)", OpTolerance.Exact, d => [Tensor.Rand([100003], new Generator(9, 12345), -2, 3, device: d).ToDoubleArray()]);
        Compare("philox normal fill f32", 1e-6, d => [Tensor.Randn([100003], new Generator(10, 77), device: d).ToDoubleArray()]);
        Compare("philox normal fill f64", 1e-14, d => [Tensor.Randn([10007], new Generator(11), DType.F64, d).ToDoubleArray()]);
    }
}
