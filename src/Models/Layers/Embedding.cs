using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Models.Layers;

/// <summary>A lookup table [rows, dim] (PyTorch nn.Embedding, N(0, 1) init); ids are whole numbers stored as floats.</summary>
public sealed class Embedding
{
    public Embedding(ParameterStore store, string name, int rows, int dim)
    {
        Rows = rows;
        Dim = dim;
        Weight = store.Declare($"{name}.weight", [rows, dim], new ParameterInit.Normal(0, 1));
    }

    public int Rows { get; }

    public int Dim { get; }

    public Parameter Weight { get; }

    public Tensor Forward(Tensor ids) => Ops.Embedding(Weight.Value, ids);
}
