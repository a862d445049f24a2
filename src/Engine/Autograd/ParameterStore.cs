using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// All parameters of a model in ONE contiguous flat buffer, and all their gradients in one flat gradient buffer,
/// with a named view per parameter. Fisher vectors, anchors θ*, optimizer moments, fused update kernels and
/// checkpoints are then single vector operations over <see cref="Data"/> and <see cref="Grad"/>.
/// Layers <see cref="Declare"/> their parameters while the model is built; <see cref="Allocate"/> then creates
/// the buffers once and initialises every parameter from the seed. <see cref="Bind"/> runs the same model with
/// other weights (a teacher copy, fast weights of a meta-learner) by swapping the flat buffers.
/// </summary>
public sealed class ParameterStore
{
    private readonly List<Parameter> _parameters = new();
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);
    private Tensor? _data;
    private Tensor? _grad;

    public ParameterStore(DType dtype = DType.F32, Device? device = null)
    {
        DType = dtype;
        Device = device ?? Device.Cpu;
    }

    public DType DType { get; }

    public Device Device { get; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Total number of scalar parameters.</summary>
    public long Count { get; private set; }

    public bool IsAllocated => _data is not null;

    /// <summary>Whether parameter views take part in differentiation (false for a frozen copy).</summary>
    public bool RequiresGrad { get; set; } = true;

    internal int BindVersion { get; private set; }

    /// <summary>The flat parameter vector [Count] currently bound.</summary>
    public Tensor Data => _data ?? throw NotAllocated();

    /// <summary>The flat gradient vector [Count] currently bound.</summary>
    public Tensor Grad => _grad ?? throw NotAllocated();

    public Parameter this[string name] => _byName.TryGetValue(name, out var p)
        ? p
        : throw new KeyNotFoundException($"no parameter named '{name}' (the model has {_parameters.Count} parameters)");

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Parameter Declare(string name, int[] shape, ParameterInit init)
    {
        if (_data is not null)
        {
            throw new InvalidOperationException($"parameter '{name}' declared after the store was allocated; declare every parameter while building the model");
        }
        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException($"parameter name '{name}' is used twice; every layer needs a unique name");
        }
        var p = new Parameter(this, name, (int[])shape.Clone(), Count, init, _parameters.Count);
        _parameters.Add(p);
        _byName[name] = p;
        Count += p.Numel;
        return p;
    }

    /// <summary>Creates the flat buffers and initialises parameter i from Philox stream (seed, i).</summary>
    public void Allocate(ulong seed)
    {
        if (_data is not null)
        {
            throw new InvalidOperationException("the parameter store is already allocated");
        }
        _data = Tensor.EmptyUnscoped([checked((int)Math.Max(Count, 0))], DType, Device);
        _grad = Tensor.ZerosUnscoped([(int)Count], DType, Device);
        Initialise(seed);
        BindVersion++;
    }

    /// <summary>Re-initialises every parameter from the seed (same values as a fresh Allocate with this seed).</summary>
    public void Initialise(ulong seed)
    {
        foreach (var p in _parameters)
        {
            var view = FlatSlice(Data, p);
            var gen = Generator.Derive(seed, (ulong)p.Index);
            switch (p.Init)
            {
                case ParameterInit.Constant c:
                    view.Backend.Fill(view, c.Value);
                    break;
                case ParameterInit.Uniform u:
                    view.Backend.FillUniform(view, gen.Seed, 0, u.Low, u.High);
                    break;
                case ParameterInit.Normal n:
                    view.Backend.FillNormal(view, gen.Seed, 0);
                    if (n.Std != 1 || n.Mean != 0)
                    {
                        view.Backend.Affine(view, n.Std, n.Mean, view);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"unknown initialiser {p.Init}");
            }
        }
    }

    public void ZeroGrad() => Grad.Fill(0);

    /// <summary>A new zeroed flat vector of this store's size, dtype and device (snapshots, moments, Fisher vectors).</summary>
    public Tensor NewFlat() => Tensor.ZerosUnscoped([(int)Count], DType, Device);

    /// <summary>Temporarily binds other flat buffers (shape [Count]); disposing the result restores the previous ones.</summary>
    public IDisposable Bind(Tensor data, Tensor? grad = null)
    {
        CheckFlat(data, "data");
        if (grad is not null)
        {
            CheckFlat(grad, "grad");
        }
        var previous = (_data, _grad);
        _data = data;
        _grad = grad ?? _grad;
        BindVersion++;
        return new Rebind(this, previous);
    }

    internal Tensor View(Parameter p)
    {
        var data = Data;
        var value = new Tensor(data.Storage, p.Shape, Shape.ContiguousStrides(p.Shape), data.Offset + p.Offset)
        {
            RequiresGrad = RequiresGrad,
            Name = p.Name,
        };
        if (RequiresGrad)
        {
            var grad = Grad;
            value.Grad = new Tensor(grad.Storage, p.Shape, Shape.ContiguousStrides(p.Shape), grad.Offset + p.Offset);
        }
        return value;
    }

    /// <summary>The 1-D slice of a flat vector that holds parameter <paramref name="p"/>.</summary>
    public static Tensor FlatSlice(Tensor flat, Parameter p) =>
        new(flat.Storage, [(int)p.Numel], [1], flat.Offset + p.Offset);

    /// <summary>A view of parameter <paramref name="p"/> (its own shape) inside any flat vector of this layout.</summary>
    public static Tensor ViewIn(Tensor flat, Parameter p) =>
        new(flat.Storage, p.Shape, Shape.ContiguousStrides(p.Shape), flat.Offset + p.Offset);

    private void CheckFlat(Tensor t, string what)
    {
        if (t.Rank != 1 || t.Shape[0] != Count || !t.IsContiguous || t.DType != DType || t.Device != Device)
        {
            throw new TensorOpException("ParameterStore.Bind",
                $"{what} must be a contiguous [{Count}] {DType} tensor on {Device}, got {t.Describe()}",
                "create it with ParameterStore.NewFlat()");
        }
    }

    private static InvalidOperationException NotAllocated() =>
        new("the parameter store has not been allocated yet; call Allocate(seed) after building the model");

    private sealed class Rebind : IDisposable
    {
        private readonly ParameterStore _store;
        private readonly (Tensor?, Tensor?) _previous;
        private bool _done;

        public Rebind(ParameterStore store, (Tensor?, Tensor?) previous)
        {
            _store = store;
            _previous = previous;
        }

        public void Dispose()
        {
            if (_done)
            {
                return;
            }
            _done = true;
            (_store._data, _store._grad) = _previous;
            _store.BindVersion++;
        }
    }
}
