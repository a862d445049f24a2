using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>
/// An n-dimensional view (shape, element strides, element offset) over a <see cref="Storage"/>.
/// Views (reshape, permute, slice, expand) share storage; every op that produces data allocates through the
/// current <see cref="TensorScope"/>. Leaf tensors with <see cref="RequiresGrad"/> collect gradients in
/// <see cref="Grad"/>; results of recorded ops point at the <see cref="Node"/> that made them.
/// </summary>
public sealed partial class Tensor
{
    private readonly int _storageVersion;

    internal Tensor(Storage storage, int[] shape, int[] strides, long offset)
    {
        if (shape.Length != strides.Length)
        {
            throw new ArgumentException("shape and strides must have the same rank");
        }
        Storage = storage;
        Shape = shape;
        Strides = strides;
        Offset = offset;
        Numel = Engine.Shape.Numel(shape);
        CheckWithinStorage(storage, shape, strides, offset);
        IsContiguous = Engine.Shape.IsContiguous(shape, strides);
        _storageVersion = storage.Version;
    }

    /// <summary>Every element a view can address lies inside its storage, so kernels may index it unchecked.</summary>
    private static void CheckWithinStorage(Storage storage, int[] shape, int[] strides, long offset)
    {
        if (Engine.Shape.Numel(shape) == 0)
        {
            return;
        }
        long low = offset, high = offset;
        for (var d = 0; d < shape.Length; d++)
        {
            var reach = (long)(shape[d] - 1) * strides[d];
            if (reach < 0)
            {
                low += reach;
            }
            else
            {
                high += reach;
            }
        }
        if (low < 0 || high >= storage.Length)
        {
            throw new ArgumentException(
                $"a view of shape [{string.Join(", ", shape)}] with strides [{string.Join(", ", strides)}] at offset {offset} " +
                $"reaches elements {low}..{high} of a storage of {storage.Length}");
        }
    }

    internal Tensor(Storage storage, int[] shape)
        : this(storage, shape, Engine.Shape.ContiguousStrides(shape), 0)
    {
    }

    public Storage Storage { get; }

    /// <summary>Sizes per dimension. Do not mutate.</summary>
    public int[] Shape { get; }

    /// <summary>Element strides per dimension (0 for broadcast dimensions). Do not mutate.</summary>
    public int[] Strides { get; }

    /// <summary>Element offset of the first element in the storage.</summary>
    public long Offset { get; }

    public long Numel { get; }

    public bool IsContiguous { get; }

    public int Rank => Shape.Length;

    public DType DType => Storage.DType;

    public Device Device => Storage.Device;

    public IBackend Backend => Storage.Backend;

    /// <summary>For leaves: whether gradients are collected. For op results: set when the op was recorded.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient of a leaf (for parameters: a view into the flat gradient buffer).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded op that produced this tensor, or null for leaves and untracked results.</summary>
    public Node? GradFn { get; internal set; }

    public string? Name { get; set; }

    public bool IsLeaf => GradFn is null;

    public int Size(int axis) => Shape[Engine.Shape.Axis("Size", axis, Rank)];

    /// <summary>Throws if the tensor's buffer was returned to the pool (the tensor outlived its scope).</summary>
    public void EnsureAlive(string op)
    {
        if (Storage.Version != _storageVersion)
        {
            throw new InvalidOperationException(
                $"{op}: tensor {Describe()} was used after the TensorScope that owned its buffer ended. " +
                "Fix: call TensorScope.Keep(tensor) inside the scope, or copy the values out (ToArray) before the scope ends.");
        }
    }

    public string Describe() => $"{DType} {TensorOpException.Format(Shape)} on {Device}";

    public override string ToString()
    {
        if (Numel > 16)
        {
            return $"Tensor({Describe()})";
        }
        var values = ToDoubleArray();
        return $"Tensor({Describe()}: {string.Join(", ", values.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))})";
    }
}
