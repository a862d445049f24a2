namespace NativeTrustRegion.Engine;

/// <summary>
/// A tensor operation was called with inputs it cannot accept (shape, dtype or device mismatch).
/// The message names the op, the offending shapes and what to do about it.
/// </summary>
public sealed class TensorOpException : ArgumentException
{
    public TensorOpException(string op, string problem, string fix)
        : base($"{op}: {problem}. Fix: {fix}")
    {
        Op = op;
    }

    public string Op { get; }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static void SameDType(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
        {
            throw new TensorOpException(op,
                $"dtype mismatch: {a.DType} {Format(a.Shape)} vs {b.DType} {Format(b.Shape)}",
                "convert one side with .To(DType) so both use the same dtype");
        }
    }

    public static void SameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
        {
            throw new TensorOpException(op,
                $"device mismatch: {a.Device} {Format(a.Shape)} vs {b.Device} {Format(b.Shape)}",
                "move one side with .To(Device) so both live on the same device");
        }
    }

    public static void Compatible(string op, Tensor a, Tensor b)
    {
        SameDType(op, a, b);
        SameDevice(op, a, b);
    }

    public static void Rank(string op, Tensor x, int rank, string name = "input")
    {
        if (x.Rank != rank)
        {
            throw new TensorOpException(op,
                $"{name} must have rank {rank}, got shape {Format(x.Shape)}",
                $"reshape the {name} to {rank} dimensions");
        }
    }
}
