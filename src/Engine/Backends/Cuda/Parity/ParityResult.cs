namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// One GPU-versus-CPU comparison: the relative error max|gpu − cpu| / max|cpu| over every compared array (outputs
/// and gradients), the tolerance it must stay within, and the exception message when the case did not run.
/// </summary>
public sealed record ParityResult(string Name, double Error, double Tolerance, string? Failure, TimeSpan Elapsed)
{
    public bool Passed => Failure is null && !double.IsNaN(Error) && Error <= Tolerance;
}
