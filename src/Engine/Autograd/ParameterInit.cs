namespace NativeTrustRegion.Engine.Autograd;

/// <summary>How a parameter is initialised (PyTorch defaults are expressed with these).</summary>
public abstract record ParameterInit
{
    public sealed record Uniform(double Low, double High) : ParameterInit;

    public sealed record Normal(double Mean, double Std) : ParameterInit;

    public sealed record Constant(double Value) : ParameterInit;

    /// <summary>PyTorch's default for Linear/Conv weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static ParameterInit FanIn(int fanIn)
    {
        var bound = 1.0 / Math.Sqrt(Math.Max(1, fanIn));
        return new Uniform(-bound, bound);
    }

    public static readonly ParameterInit Zeros = new Constant(0);

    public static readonly ParameterInit Ones = new Constant(1);
}
