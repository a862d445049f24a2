namespace NativeTrustRegion.Engine.Autograd;

/// <summary>A named view into the flat parameter buffer of a <see cref="ParameterStore"/> (and its gradient).</summary>
public sealed class Parameter
{
    private Tensor? _value;
    private int _bindVersion = -1;

    internal Parameter(ParameterStore store, string name, int[] shape, long offset, ParameterInit init, int index)
    {
        Store = store;
        Name = name;
        Shape = shape;
        Offset = offset;
        Numel = Engine.Shape.Numel(shape);
        Init = init;
        Index = index;
    }

    public ParameterStore Store { get; }

    public string Name { get; }

    public int[] Shape { get; }

    /// <summary>Element offset inside the flat buffer.</summary>
    public long Offset { get; }

    public long Numel { get; }

    public ParameterInit Init { get; }

    public int Index { get; }

    /// <summary>The parameter as a leaf tensor over the currently bound flat buffer; its Grad views the flat gradient.</summary>
    public Tensor Value
    {
        get
        {
            if (_value is null || _bindVersion != Store.BindVersion)
            {
                _value = Store.View(this);
                _bindVersion = Store.BindVersion;
            }
            return _value;
        }
    }

    public override string ToString() => $"{Name} {TensorOpException.Format(Shape)}";
}
