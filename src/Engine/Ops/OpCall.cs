namespace NativeTrustRegion.Engine;

/// <summary>
/// The device work of a prepared <see cref="OpCase"/> (<see cref="OpCase.Prepared"/>): its inputs already on the
/// device, the call itself (<see cref="Run"/>: timed alone by the kernel benchmark, run once by the parity check), the
/// arrays it leaves behind for the parity check to compare, and the fewest bytes one call must move (inputs read once,
/// outputs written once) and the floating-point operations it does (0 for memory-bound kernels).
/// </summary>
public sealed record OpCall(Action Run, Func<double[][]> Results, double Bytes, double Flops = 0);
